// The reference signaling server: HTTP (static files, /signal probe) and WebSocket (/signal) on one
// port. createServer() is what index.js and the tests use.
import { createServer as createHttpServer, STATUS_CODES } from 'node:http';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import { authorize, secretKeyFrom } from './access_tokens.js';
import { Connection, CloseCode } from './connection.js';
import { ResumeTokens, loadResumeKey, DEFAULT_RESUME_TTL_MS } from './resume_tokens.js';
import {
  Rooms,
  DEFAULT_GRACE_MS,
  DEFAULT_MAX_PEERS,
  DEFAULT_MAX_REPLAY_BYTES,
  DEFAULT_MAX_TOTAL_REPLAY_BYTES,
} from './rooms.js';
import { quote } from './log_text.js';
import { Cluster } from './cluster.js';
import { serveStatic, plain } from './static.js';

const here = fileURLToPath(new URL('.', import.meta.url));

export const DEFAULTS = Object.freeze({
  port: 8080,
  host: '127.0.0.1',
  // The Angular demo's build output (npm run demo builds it).
  staticDir: resolve(here, '../app/dist/app/browser'),
  sdkDir: resolve(here, '../../dist'),
  secret: null,
  resumeSecret: null,
  resumeKeyFile: null, // default: <cwd>/.rtc-signaling/resume.key
  resumeTtlMs: DEFAULT_RESUME_TTL_MS,
  maxPeers: DEFAULT_MAX_PEERS,
  graceMs: DEFAULT_GRACE_MS,
  maxFrame: 64 * 1024,
  rate: 50, // frames per second per connection
  burst: null, // default: 2 × rate
  maxBadFrames: 20,
  idleMs: 30_000,
  maxConnections: 1000,
  maxConnectionsPerIp: 50,
  maxReplayBytes: DEFAULT_MAX_REPLAY_BYTES, // per peer: unacked frames kept for its resume
  maxTotalReplayBytes: DEFAULT_MAX_TOTAL_REPLAY_BYTES,
  maxBufferedBytes: 2 * 1024 * 1024, // per socket: a client that stops reading is dropped
  backlogBytes: 512 * 1024, // per socket: frames over the rate queued before reading pauses
  redis: null, // redis://host:port: cluster mode (cluster.js); null: this process holds everything
  log: (line) => console.log(line),
});

const SIGNAL_PATH = '/signal';

/**
 * @returns {Promise<{url: string, wsUrl: string, port: number, close(): Promise<void>}>}
 */
export async function createServer(options = {}) {
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const config = {
    maxFrame: o.maxFrame,
    rate: o.rate,
    burst: o.burst ?? Math.max(1, Math.round(o.rate * 2)),
    maxBadFrames: o.maxBadFrames,
    idleMs: o.idleMs,
    maxBufferedBytes: o.maxBufferedBytes,
    backlogBytes: o.backlogBytes,
  };
  const log = o.log ?? (() => {});
  const secretKey = secretKeyFrom(o.secret);
  const resumeKeyFile = o.resumeKeyFile ?? resolve(process.cwd(), '.rtc-signaling', 'resume.key');
  const resumeKey = loadResumeKey({ resumeSecret: o.resumeSecret, keyFile: resumeKeyFile });
  const resumeTokens = new ResumeTokens(resumeKey, { ttlMs: o.resumeTtlMs });
  const rooms = new Rooms({
    maxPeers: o.maxPeers,
    graceMs: o.graceMs,
    maxReplayBytes: o.maxReplayBytes,
    maxTotalReplayBytes: o.maxTotalReplayBytes,
    log,
  });
  // Cluster mode: rooms, presence, replay logs and sessions live in Redis (cluster.js).
  const cluster = o.redis
    ? await new Cluster({
        url: o.redis,
        graceMs: o.graceMs,
        maxPeers: o.maxPeers,
        maxReplayBytes: o.maxReplayBytes,
        maxTotalReplayBytes: o.maxTotalReplayBytes,
        resumeTtlMs: o.resumeTtlMs,
        log,
      }).start()
    : null;
  const connections = new Set();
  const perIp = new Map(); // remote address -> open sockets (upgrades in progress included)
  const counts = { open: 0, refused: 0 };
  // The key file is never served, whatever --static points at (dotfiles are not served either).
  const staticOptions = { deny: [resumeKeyFile] };
  const mounts = [
    { prefix: '/sdk/', dir: o.sdkDir },
    { prefix: '/', dir: o.staticDir },
  ];

  // Frames between maxFrame and this hard cap get a message-too-large error frame and the socket
  // lives on; above it ws closes with 1009 because it would have to buffer the whole frame.
  const wss = new WebSocketServer({ noServer: true, maxPayload: Math.max(4 * o.maxFrame, 256 * 1024) });

  const http = createHttpServer(async (req, res) => {
    try {
      const url = parseTarget(req.url);
      if (!url) return plain(res, 400, 'bad request target');
      if (url.pathname === SIGNAL_PATH) return await probe(url, res);
      await serveStatic(req, res, mounts, staticOptions);
    } catch (err) {
      log(`http error: ${quote(err.message)}`);
      if (!res.headersSent) plain(res, 500, 'internal error');
      else res.destroy();
    }
  });

  // Browsers cannot read the status of a refused upgrade, so the client asks again with a plain
  // GET: same checks, same status, readable cross-origin.
  async function probe(url, res) {
    const auth = await authorize(authRequest(url));
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (auth.status !== 200) return plain(res, auth.status, auth.reason, cors);
    plain(res, 426, 'use a WebSocket to connect', { ...cors, Upgrade: 'websocket', Connection: 'Upgrade' });
  }

  function authRequest(url) {
    return {
      secretKey,
      token: url.searchParams.get('access_token'),
      room: url.searchParams.get('room'),
    };
  }

  // An async listener: nothing may throw or reject out of it (an unhandled rejection would end the
  // process, and its dump would print the request URL with the token in it).
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    upgrade(req, socket, head).catch((err) => {
      log(`upgrade error: ${quote(err.message)}`);
      refuse(socket, 500, 'internal error');
    });
  });

  async function upgrade(req, socket, head) {
    if (closed) return refuse(socket, 503, 'server shutting down');
    const url = parseTarget(req.url);
    if (!url) return refuse(socket, 400, 'bad request target');
    if (url.pathname !== SIGNAL_PATH) return refuse(socket, 404, 'not found');
    // Counted from here to the socket's close, so a burst of upgrades cannot pass the cap while
    // their tokens are being checked.
    const ip = socket.remoteAddress ?? '';
    if (counts.open >= o.maxConnections) return refuseCapped(socket, 503, 'server at its connection limit');
    if ((perIp.get(ip) ?? 0) >= o.maxConnectionsPerIp) return refuseCapped(socket, 429, 'too many connections from this address');
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    counts.open++;
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      counts.open--;
      const left = perIp.get(ip) - 1;
      if (left > 0) perIp.set(ip, left);
      else perIp.delete(ip);
    };
    socket.once('close', release);
    const auth = await authorize(authRequest(url));
    if (auth.status !== 200) return refuse(socket, auth.status, auth.reason);
    // Shutdown may have begun while the token was checked; a socket accepted now would never be
    // closed and http.close() would wait for it forever.
    if (closed) return refuse(socket, 503, 'server shutting down');
    if (socket.destroyed) return release();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new Connection({
        ws,
        rooms,
        cluster,
        resumeTokens,
        claims: auth.claims,
        queryRoom: url.searchParams.get('room'),
        config,
        log,
      });
      connections.add(connection);
      ws.on('close', () => connections.delete(connection));
    });
  }

  function refuseCapped(socket, status, reason) {
    counts.refused++;
    refuse(socket, status, reason);
  }

  await new Promise((resolveListen, reject) => {
    http.once('error', reject);
    http.listen(o.port, o.host, () => {
      http.off('error', reject);
      resolveListen();
    });
  });
  const port = http.address().port;
  const displayHost = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(o.host) ? 'localhost' : o.host;

  let closed = null;
  function close() {
    closed ??= (async () => {
      // Stop accepting first: clients that reconnect at once must not slip in between taking the
      // connection list and closing the listener (the upgrade handler refuses once `closed` is set).
      const listenerClosed = new Promise((done) => http.close(() => done()));
      const sockets = [...connections].map(
        (c) => new Promise((done) => (c.ws.readyState === c.ws.CLOSED ? done() : c.ws.once('close', done))),
      );
      for (const c of connections) c.shutdown();
      rooms.clear();
      await cluster?.stop();
      await Promise.all(sockets);
      wss.close();
      http.closeAllConnections();
      await listenerClosed;
    })();
    return closed;
  }

  return {
    url: `http://${displayHost}:${port}`,
    wsUrl: `ws://${displayHost}:${port}${SIGNAL_PATH}`,
    port,
    close,
    /** Counters: open sockets, rooms, peers, replay bytes held, what the caps refused. */
    stats: () => ({
      connections: counts.open,
      refusedConnections: counts.refused,
      ...rooms.stats(),
      ...(cluster ? { cluster: cluster.stats() } : {}),
    }),
  };
}

/** The request target as a URL, or null when it is not one (e.g. `//[`). */
function parseTarget(target) {
  try {
    return new URL(target, 'http://localhost');
  } catch {
    return null;
  }
}

function refuse(socket, status, body) {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      'Access-Control-Allow-Origin: *\r\n' +
      `Content-Length: ${Buffer.byteLength(body) + 1}\r\n\r\n${body}\n`,
  );
}

export { CloseCode };
