// Shared helpers for the reference-server tests: an in-process server on an ephemeral port and raw
// `ws` clients whose frames are buffered so a test can wait for one by predicate, with a timeout.
import WebSocket from 'ws';
import { createServer } from '../../demo/server/server.js';

export const TEST_RESUME_SECRET = 'test-resume-secret';

export async function startServer(options = {}) {
  return createServer({ port: 0, resumeSecret: TEST_RESUME_SECRET, log: null, ...options });
}

export function signalUrl(server, query = {}) {
  const url = new URL(`ws://127.0.0.1:${server.port}/signal`);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/** A raw socket plus an inbox. `next()` consumes the first buffered or future matching frame. */
export class TestClient {
  constructor(ws) {
    this.ws = ws;
    this.inbox = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      const waiter = this.waiters.find((w) => w.predicate(message));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      } else {
        this.inbox.push(message);
      }
    });
  }

  static async open(url) {
    const ws = new WebSocket(url);
    const client = new TestClient(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return client;
  }

  send(message) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  next(predicate = () => true, timeoutMs = 2000) {
    const pred = typeof predicate === 'string' ? (m) => m.type === predicate : predicate;
    const index = this.inbox.findIndex(pred);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = { predicate: pred, resolve: (m) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching frame within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves with the close {code, reason}, or rejects after timeoutMs. */
  waitClose(timeoutMs = 3000) {
    return withTimeout(this.closed, timeoutMs, 'socket did not close');
  }

  /** Asserts nothing matching arrives before a ping round trip completes (frames are ordered). */
  async expectNothing(predicate) {
    this.send({ type: 'ping' });
    await this.next('pong');
    const hit = this.inbox.find(predicate);
    if (hit) throw new Error(`unexpected frame ${JSON.stringify(hit)}`);
  }

  async join(room, name, extra = {}) {
    this.send({ type: 'join', room, name, ...extra });
    const reply = await this.next((m) => m.type === 'welcome' || m.type === 'error');
    if (reply.type === 'error') throw Object.assign(new Error(reply.message), { frame: reply });
    this.welcome = reply;
    // The session secret comes only in a session's first welcome; a resumed client keeps its own.
    this.secret = reply.secret ?? extra.secret;
    return reply;
  }

  drop() {
    this.ws.terminate();
    return this.closed;
  }

  close() {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.ws.close();
    return this.closed;
  }
}

/** Join fields that resume `client`'s session: its token, its session secret and lastSeq. */
export function resumeOf(client, lastSeq) {
  return { extra: { resume: client.welcome.resume, secret: client.secret, lastSeq } };
}

/** Opens a socket for `room` and joins it. */
export async function joined(server, room, name, { query = {}, extra = {} } = {}) {
  const client = await TestClient.open(signalUrl(server, { room, ...query }));
  await client.join(room, name, extra);
  return client;
}

/** The HTTP status of a refused upgrade, or 101. */
export function upgradeStatus(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode);
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', (err) => reject(err));
  });
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms))),
  ]);
}

export const OFFER = { description: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } };
export const CANDIDATE = { candidate: { candidate: 'candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
