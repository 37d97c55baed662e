// A fault-injecting WebSocket proxy for the native dialect: clients connect to the proxy, which
// opens one upstream socket to the real server per client socket and forwards frames both ways.
// Faults are applied per connection:
//   cut(conn)      both sockets are destroyed without a close handshake (the client sees 1006, the
//                  server starts its grace period) — a Wi-Fi drop, a NAT timeout, a crashed proxy.
//   stall(conn)    half-open: frames stop in both directions, nothing is closed. Only heartbeats
//                  can notice (the client's server_timeout_ms, the server's idle timeout).
//   setDelay(ms)   every frame waits `ms` (order kept): a slow link.
//   setReorder(on) control frames that the protocol does not order against anything (ack, ping,
//                  pong) are held back and overtaken by the next frame in the same direction.
//                  Reliable frames (signal, peer-joined, peer-left) are never reordered: seq
//                  dedupe drops anything at or below the highest seq seen, so a reordered
//                  reliable frame on one socket would be lost until the next resume — that
//                  ordering is TCP's job, and the protocol relies on it.
// Plain HTTP (the client's endpoint probe) is forwarded too; 502 when the server is down.
//
// Accounting: every frame is parsed and counted so tests can prove exactly-once delivery:
//   sent        client->server signals by (sender session, client seq), counted as the client
//               wrote them: a resend after a cut shares the key of the lost original
//   replays     server->client signals the server wrote more than once (same recipient and seq)
//   delivered   server->client signals forwarded to the client, by (recipient session, seq)
//   contents    the payloads behind both, to match each sent signal with its deliveries
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

export class Proxy {
  /** @param {{target: () => string}} options target(): the server's ws:// url, read per socket */
  constructor({ target }) {
    this.target = target;
    this.connections = new Set();
    this.delayMs = 0;
    this.reorder = false;
    this.stats = new Accounting();
    this.nextConnectionId = 1;
  }

  async listen() {
    this.http = http.createServer((req, res) => this.#forwardHttp(req, res));
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
    this.http.on('upgrade', (req, socket, head) => this.#onUpgrade(req, socket, head));
    await new Promise((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.port = this.http.address().port;
    this.url = `ws://127.0.0.1:${this.port}/signal`;
    return this;
  }

  async close() {
    for (const conn of this.connections) this.cut(conn);
    this.wss.close();
    this.http.closeAllConnections?.();
    await new Promise((resolve) => this.http.close(resolve));
  }

  /** Open (not cut, not closed) connections, optionally only joined ones. */
  live({ joined = false } = {}) {
    return [...this.connections].filter((c) => !c.closed && (!joined || c.peerId));
  }

  connectionOf(peerId) {
    return this.live().find((c) => c.peerId === peerId);
  }

  cut(conn) {
    if (conn.closed) return;
    conn.closed = true;
    conn.cut = true;
    conn.client.terminate();
    conn.upstream.terminate();
    this.connections.delete(conn);
  }

  /**
   * Cuts `conn` right after the next signal frame in `direction` ('up': client->server, 'down')
   * has been forwarded, so it is in flight with its ack still to come; resolves true then, or
   * false if none passed within timeoutMs (the connection is cut anyway).
   */
  cutOnNextSignal(conn, direction, timeoutMs = 3000) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        conn.pipes[direction].afterSignal = null;
        this.cut(conn);
        resolve(false);
      }, timeoutMs);
      conn.pipes[direction].afterSignal = () => {
        clearTimeout(timer);
        conn.pipes[direction].afterSignal = null;
        this.cut(conn);
        resolve(true);
      };
    });
  }

  /**
   * Stalls `conn` as the next signal frame in `direction` that `accept` takes arrives, so that
   * frame is lost with everything after it (written by its sender, never forwarded). Resolves
   * with the frame.
   */
  stallOnNextSignal(conn, direction, accept = () => true) {
    return new Promise((resolve) => {
      conn.pipes[direction].beforeSignal = (text) => {
        // Signals before the one wanted (a late candidate, end-of-candidates) pass on.
        if (!accept(JSON.parse(text))) return;
        conn.pipes[direction].beforeSignal = null;
        conn.stalled = true;
        resolve(JSON.parse(text));
      };
    });
  }

  stall(conn) {
    conn.stalled = true;
  }

  setDelay(ms) {
    this.delayMs = ms;
  }

  setReorder(on) {
    this.reorder = on;
  }

  #forwardHttp(req, res) {
    const target = new URL(this.target());
    target.protocol = 'http:';
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502, { 'access-control-allow-origin': '*' });
      res.end();
    });
    req.pipe(upstream);
  }

  #onUpgrade(req, socket, head) {
    const target = new URL(this.target());
    const upstream = new WebSocket(`ws://${target.host}${req.url}`);
    const refuse = () => {
      socket.write('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
      socket.destroy();
    };
    upstream.once('error', refuse);
    upstream.once('unexpected-response', (_, response) => {
      socket.write(`HTTP/1.1 ${response.statusCode} Refused\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    });
    upstream.once('open', () => {
      upstream.off('error', refuse);
      this.wss.handleUpgrade(req, socket, head, (client) => this.#wire(client, upstream));
    });
  }

  #wire(client, upstream) {
    const conn = {
      id: this.nextConnectionId++,
      client,
      upstream,
      peerId: null,
      session: null, // peerId + session epoch, for accounting
      closed: false,
      cut: false,
      stalled: false,
      pipes: {},
    };
    this.connections.add(conn);
    // Client frames are counted as written (a frame lost in a cut and resent counts twice);
    // server frames both as written (replays) and as forwarded to the client (delivered).
    conn.pipes.up = new Pipe(this, conn, upstream, {
      written: (text) => this.stats.clientFrame(conn, text),
      forwarded: () => {},
    });
    conn.pipes.down = new Pipe(this, conn, client, {
      written: (text) => this.stats.serverWritten(conn, text),
      forwarded: (text) => this.stats.serverFrame(conn, text),
    });
    client.on('message', (data, isBinary) => conn.pipes.up.push(data, isBinary));
    upstream.on('message', (data, isBinary) => conn.pipes.down.push(data, isBinary));
    const end = (other) => (code, reason) => {
      if (conn.closed) return;
      conn.closed = true;
      this.connections.delete(conn);
      // Pass a real close on with its code (1005/1006 cannot be sent, so they become a bare close).
      if (other.readyState === WebSocket.OPEN) {
        if (code >= 1000 && code < 5000 && code !== 1005 && code !== 1006) other.close(code, reason);
        else other.close();
      }
    };
    client.on('close', end(upstream));
    upstream.on('close', end(client));
    client.on('error', () => {});
    upstream.on('error', () => {});
  }
}

/** One direction of one connection: delay, reorder and stall are applied here. */
class Pipe {
  constructor(proxy, conn, to, account) {
    this.proxy = proxy;
    this.conn = conn;
    this.to = to;
    this.account = account;
    this.queue = []; // [{at, frame}] in arrival order
    this.timer = null;
    this.held = null;
    this.afterSignal = null;
    this.beforeSignal = null;
  }

  push(data, isBinary) {
    const text = isBinary ? null : data.toString('utf8');
    if (text !== null) this.account.written(text);
    if (this.beforeSignal && typeOf(text) === 'signal') this.beforeSignal(text);
    if (this.conn.stalled || this.conn.closed) return; // half-open: the frame goes nowhere
    const frame = { data: isBinary ? data : text, isBinary };
    if (this.proxy.reorder && CONTROL.has(typeOf(text)) && !this.held) {
      this.held = frame; // overtaken by the next frame in this direction
      return;
    }
    this.#schedule(frame);
    if (this.held) {
      const held = this.held;
      this.held = null;
      this.#schedule(held);
    }
  }

  // One FIFO per direction drained by a single timer: separate timers per frame could fire out
  // of order (Node computes their expiry from its cached loop time, not from Date.now()).
  #schedule(frame) {
    this.queue.push({ at: Date.now() + this.proxy.delayMs, frame });
    this.#drain();
  }

  #drain() {
    while (this.queue.length > 0 && this.queue[0].at <= Date.now()) this.#send(this.queue.shift().frame);
    if (this.queue.length === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.#drain();
    }, Math.max(1, this.queue[0].at - Date.now()));
  }

  #send(frame) {
    if (this.conn.stalled || this.conn.closed || this.to.readyState !== WebSocket.OPEN) return;
    if (!frame.isBinary) this.account.forwarded(frame.data);
    this.to.send(frame.data, { binary: frame.isBinary });
    if (this.afterSignal && !frame.isBinary && typeOf(frame.data) === 'signal') {
      // Long enough for the frame to arrive and be processed, shorter than the way back of
      // its ack (the batching delay or the link delay): it is cut while unacknowledged.
      const cut = this.afterSignal;
      this.afterSignal = null;
      setTimeout(cut, 10);
    }
  }
}

// Frames no other frame is ordered against: acks are cumulative, pings and pongs only say "alive".
const CONTROL = new Set(['ack', 'ping', 'pong']);

/** The frame's type; parsed, since key order differs between client and server encoders. */
function typeOf(text) {
  if (text === null) return null;
  return parse(text)?.type ?? null;
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Frame accounting for exactly-once checks (see the file comment). */
export class Accounting {
  constructor() {
    this.epochs = new Map(); // peerId -> number of sessions that started numbering at 1
    this.sent = new Map(); // `${session}|${seq}` -> {from, to, content}
    this.sentFrames = 0;
    this.delivered = new Map(); // `${session}|${seq}` -> {to, from, content}
    this.deliveredFrames = 0;
    this.serverSignals = new Map(); // `${session}|${seq}` -> times the server wrote it
    this.welcomes = { total: 0, resumed: 0, restored: 0, fresh: 0 };
  }

  clientFrame(conn, text) {
    const m = parse(text);
    if (m?.type !== 'signal' || !conn.session) return;
    this.sentFrames++;
    const key = `${conn.session}|${m.seq}`;
    if (!this.sent.has(key)) this.sent.set(key, { from: conn.peerId, to: m.to, content: canonical(m.data) });
  }

  #startSession(conn, m) {
    this.welcomes.total++;
    if (m.restored) this.welcomes.restored++;
    else if (m.resumed) this.welcomes.resumed++;
    else this.welcomes.fresh++;
    let epoch = this.epochs.get(m.id) ?? 0;
    if (!m.resumed) this.epochs.set(m.id, ++epoch);
    conn.peerId = m.id;
    conn.session = `${m.id}#${epoch}`;
  }

  serverWritten(conn, text) {
    const m = parse(text);
    // The session starts with the welcome as the server writes it: replayed frames follow it at
    // once, possibly while the welcome itself still waits in the delay queue.
    if (m?.type === 'welcome') this.#startSession(conn, m);
    if (!conn.session || m?.type !== 'signal') return;
    const key = `${conn.session}|${m?.seq}`;
    this.serverSignals.set(key, (this.serverSignals.get(key) ?? 0) + 1);
  }

  serverFrame(conn, text) {
    const m = parse(text);
    if (!m) return;
    if (m.type === 'welcome') return;
    if (m.type !== 'signal' || !conn.session) return;
    this.deliveredFrames++;
    const key = `${conn.session}|${m.seq}`;
    if (!this.delivered.has(key)) this.delivered.set(key, { to: conn.peerId, from: m.from, content: canonical(m.data) });
  }

  /** Sent signals with no matching delivery: key, sender session, seq and payload type. */
  lostDetail() {
    const delivered = new Map();
    for (const d of this.delivered.values()) {
      const k = `${d.from}>${d.to}:${d.content}`;
      delivered.set(k, (delivered.get(k) ?? 0) + 1);
    }
    const out = [];
    for (const [key, e] of this.sent) {
      const k = `${e.from}>${e.to}:${e.content}`;
      const n = delivered.get(k) ?? 0;
      if (n > 0) delivered.set(k, n - 1);
      else out.push({ key, to: e.to, content: e.content.slice(0, 80) });
    }
    return out;
  }

  /**
   * Matches sent signals with deliveries by (from, to, payload) as multisets: equal counts for
   * every payload mean nothing was lost and nothing was relayed twice under a new seq.
   */
  match() {
    const count = (entries) => {
      const m = new Map();
      for (const e of entries) {
        const k = `${e.from}>${e.to}:${e.content}`;
        m.set(k, (m.get(k) ?? 0) + 1);
      }
      return m;
    };
    const sent = count(this.sent.values());
    const delivered = count(this.delivered.values());
    const lost = [];
    const duplicated = [];
    for (const [k, n] of sent) {
      const d = delivered.get(k) ?? 0;
      if (d < n) lost.push(k.slice(0, 120));
      if (d > n) duplicated.push(k.slice(0, 120));
    }
    for (const [k, d] of delivered) if (!sent.has(k) && d > 0) duplicated.push(`unsent ${k.slice(0, 120)}`);
    return {
      sent: this.sent.size,
      sentFrames: this.sentFrames,
      delivered: this.delivered.size,
      deliveredFrames: this.deliveredFrames,
      socketDuplicates: this.deliveredFrames - this.delivered.size,
      replays: [...this.serverSignals.values()].reduce((n, c) => n + c - 1, 0),
      resends: this.sentFrames - this.sent.size,
      lost,
      duplicated,
    };
  }
}

export async function startProxy(options) {
  return new Proxy(options).listen();
}

/** JSON with object keys sorted: the server re-serializes signal data, so key order may differ. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
