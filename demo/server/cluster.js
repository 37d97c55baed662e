// Cluster mode (`--redis`): rooms, membership, presence, the reliable per-peer streams and resume
// sessions live in Redis, so any instance accepts any client and a killed instance's clients
// resume on another with their ids and nothing lost. Every state change is one Lua script
// (cluster_scripts.js); frames reach the instance holding a socket by pub/sub, and a gap in what
// it receives is filled from the replay log. docs/ARCHITECTURE.md, "Cluster mode".
import { createHash, randomBytes } from 'node:crypto';
import { createClient, ErrorReply } from 'redis';
import { clusterScripts } from './cluster_scripts.js';
import { quote } from './log_text.js';

const HEARTBEAT_MS = 1000;
const HEARTBEAT_TTL_MS = 3000; // an instance silent this long is dead: its peers enter grace
const SWEEP_MS = 500;
const RECONNECT_MS = 250;

/** Thrown to a caller when Redis cannot be reached: the operation did not happen. */
export class StoreUnavailable extends Error {}

export class Cluster {
  /**
   * @param options {url, prefix, graceMs, maxPeers, maxReplayBytes, maxTotalReplayBytes,
   *   resumeTtlMs, log}
   */
  constructor(options) {
    this.o = { prefix: 'rtc:', ...options };
    this.log = options.log ?? (() => {});
    this.instance = randomBytes(9).toString('base64url');
    this.local = new Map(); // peer id -> the Attach on this instance that holds its socket
    this.marker = null; // the value of P cluster when we last checked
    this.closed = false;
    this.onStateLost = () => {};
    const scripts = clusterScripts(this.o);
    this.scripts = Object.fromEntries(
      Object.entries(scripts).map(([name, text]) => [name, { text, sha: createHash('sha1').update(text).digest('hex') }]),
    );
    const socket = { reconnectStrategy: () => RECONNECT_MS, connectTimeout: 2000 };
    // No offline queue: while Redis is away a command fails at once, so a join can be refused
    // and a relay retried in order, instead of both hanging in a queue of unknown fate.
    this.redis = createClient({ url: options.url, socket, disableOfflineQueue: true });
    this.sub = this.redis.duplicate();
    this.ready = false;
    this.waiters = [];
    let warned = false;
    for (const client of [this.redis, this.sub]) {
      client.on('error', (err) => {
        if (!warned && !this.closed) this.log(`redis: ${quote(err.message)}`);
        warned = true;
      });
    }
    this.redis.on('ready', () => {
      warned = false;
      this.#onReady().catch((err) => this.log(`redis ready check failed: ${quote(err.message)}`));
    });
    this.redis.on('reconnecting', () => (this.ready = false));
    this.redis.on('end', () => (this.ready = false));
    this.sub.on('ready', () => {
      // Frames published while the subscriber was away are in the replay logs: fetch them.
      for (const attach of this.local.values()) attach.pull();
    });
  }

  async start() {
    await this.sub.connect();
    await this.sub.subscribe(this.#key(`i:${this.instance}`), (line) => this.#onMessage(line));
    await this.redis.connect();
    await this.#whenReady();
    this.heartbeat = setInterval(() => this.#beat(), HEARTBEAT_MS);
    this.sweeper = setInterval(() => this.#sweep(), SWEEP_MS);
    this.log(`cluster instance ${this.instance} on ${this.#safeUrl()}`);
    return this;
  }

  /** Graceful stop: this instance's peers enter their grace period now, for another instance. */
  async stop() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearInterval(this.sweeper);
    if (this.ready) {
      const graceEndsAt = Date.now() + this.o.graceMs;
      const pending = [...this.local.values()].map((a) =>
        this.#eval('DETACH', [a.id, a.epoch, this.instance, graceEndsAt]).catch(() => {}),
      );
      await Promise.all(pending);
      await Promise.all([
        this.redis.del(this.#key(`hb:${this.instance}`)).catch(() => {}),
        this.redis.sRem(this.#key('instances'), this.instance).catch(() => {}),
      ]);
    }
    this.local.clear();
    await Promise.allSettled([this.redis.close(), this.sub.close()]);
  }

  stats() {
    return { instance: this.instance, redis: this.ready ? 'ready' : 'unavailable', attached: this.local.size };
  }

  // ------------------------------------------------------------------ what a connection calls

  /**
   * A new peer (or a resume whose peer is gone). @returns {kind: 'new'|'fresh'|'restored',
   * epoch, members} or {refused: 'full'|'taken'|'revoked'}.
   */
  async join({ room, id, name, session, sub, out = 0, mode = 'new', token = { sid: '', sh: '' }, attach }) {
    const summary = JSON.stringify({ id, name });
    this.#attachLocally(attach);
    let reply;
    try {
      reply = await this.#eval('JOIN', [
        room, id, name, summary, session.sid, session.sh, sub ?? '', this.instance, out,
        this.o.maxPeers, mode, token.sid, token.sh,
      ], { once: true });
    } catch (err) {
      this.#detachLocally(attach);
      // It may have run with its reply lost: end that attach, or the id would stay in the room
      // attached to a socket that does not exist.
      this.#eval('DETACH', [id, 1, this.instance, Date.now() + this.o.graceMs]).catch(() => {});
      throw err;
    }
    const [kind, epoch, ...members] = reply;
    if (kind === 'full' || kind === 'taken' || kind === 'revoked') {
      this.#detachLocally(attach);
      return { refused: kind };
    }
    this.log(`join room=${quote(room)} id=${quote(id)} (${kind})`);
    return { kind, epoch: Number(epoch), members: members.map((m) => JSON.parse(m)) };
  }

  /**
   * The same session on a new socket. @returns {epoch, inSeq, name, members, replay} or
   * {refused: 'missing'|'other'|'revoked'}.
   */
  async resume({ id, sid, room, lastSeq, attach }) {
    this.#attachLocally(attach);
    let reply;
    try {
      reply = await this.#eval('RESUME', [id, sid, room, this.instance, lastSeq], { once: true });
    } catch (err) {
      this.#detachLocally(attach);
      throw err;
    }
    if (reply[0] !== 'ok') {
      this.#detachLocally(attach);
      return { refused: reply[0] };
    }
    const [, epoch, inSeq, name, count, ...rest] = reply;
    return {
      epoch: Number(epoch),
      inSeq: Number(inSeq),
      name,
      members: rest.slice(0, Number(count)).map((m) => JSON.parse(m)),
      replay: rest.slice(Number(count)),
    };
  }

  /** @returns [outcome, inSeq] — outcome 'ok'|'dup'|'self'|'unknown-peer'|'backlogged'|'missing'|'replaced' */
  async relay(attach, seq, to, data) {
    const rest = ',' + JSON.stringify({ from: attach.id, data }).slice(1);
    const [outcome, inSeq] = await this.#eval('RELAY', [attach.id, attach.epoch, seq, to, rest]);
    return [outcome, Number(inSeq ?? 0)];
  }

  /** @returns 'ok'|'beyond'|'missing'|'replaced' */
  ack(attach, seq) {
    return this.#eval('ACK', [attach.id, attach.epoch, seq]);
  }

  async leave(attach, sid) {
    const outcome = await this.#eval('LEAVE', [attach.id, attach.epoch, sid, this.o.resumeTtlMs]);
    this.#detachLocally(attach);
    if (outcome === 'ok') this.log(`leave id=${quote(attach.id)} reason="left"`);
    return outcome;
  }

  /** The socket is gone without leave: its grace period starts (retried until Redis answers). */
  async detach(attach) {
    if (!this.#detachLocally(attach) || this.closed) return;
    await this.#eval('DETACH', [attach.id, attach.epoch, this.instance, Date.now() + this.o.graceMs]).catch((err) => {
      this.log(`detach id=${quote(attach.id)} failed: ${quote(err.message)}`);
    });
  }

  /** True while new joins can be accepted. */
  get available() {
    return this.ready && !this.closed;
  }

  // ------------------------------------------------------------------ internals

  #attachLocally(attach) {
    const previous = this.local.get(attach.id);
    if (previous && previous !== attach) previous.replaced();
    this.local.set(attach.id, attach);
  }

  #detachLocally(attach) {
    if (this.local.get(attach.id) !== attach) return false;
    this.local.delete(attach.id);
    return true;
  }

  #onMessage(line) {
    const kind = line[0];
    const a = line.indexOf(' ', 2);
    const id = line.slice(2, a);
    const attach = this.local.get(id);
    if (!attach) return;
    if (kind === 'f') {
      const b = line.indexOf(' ', a + 1);
      const c = line.indexOf(' ', b + 1);
      const epoch = Number(line.slice(a + 1, b));
      attach.frame(epoch, Number(line.slice(b + 1, c)), line.slice(c + 1));
      return;
    }
    const epoch = Number(line.slice(a + 1));
    if (attach.epoch !== epoch) return;
    if (kind === 'r') {
      this.local.delete(id);
      attach.replaced();
    } else if (kind === 's') {
      attach.stalled();
    }
  }

  /** The frames after `after` in `id`'s replay log. */
  frames(id, after) {
    return this.#eval('FRAMES', [id, after]);
  }

  async #onReady() {
    const key = this.#key('cluster');
    const fresh = randomBytes(9).toString('base64url');
    await this.redis.set(key, fresh, { NX: true });
    const marker = await this.redis.get(key);
    const lost = this.marker !== null && marker !== this.marker;
    this.marker = marker;
    await this.#beat();
    this.ready = true;
    if (lost) {
      // Redis came back without its data (a restart without persistence): the sessions of our
      // sockets are gone from it. Their clients resume with their tokens, which re-creates them
      // with the same ids (`restored`), and their rosters re-sync from the welcome.
      this.log(`redis lost the cluster state: closing ${this.local.size} sockets so their clients resume`);
      const attaches = [...this.local.values()];
      this.local.clear();
      for (const attach of attaches) attach.stateLost();
    }
    for (const resolve of this.waiters.splice(0)) resolve();
    if (!lost) await this.#reattach();
  }

  /**
   * Redis answered again with its data: while we could not beat, another instance may have
   * reaped us and started our peers' grace periods. Our sockets are alive, so they are ours
   * again; then each fetches the frames it missed.
   */
  async #reattach() {
    for (const attach of [...this.local.values()]) {
      if (attach.epoch === null) continue;
      const outcome = await this.#eval('REATTACH', [attach.id, attach.epoch, this.instance], { once: true }).catch(() => null);
      if (outcome === 'ok' || outcome === null) {
        attach.pull();
        continue;
      }
      this.#detachLocally(attach);
      if (outcome === 'missing') attach.stateLost();
      else attach.replaced();
    }
  }

  #whenReady() {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async #beat() {
    if (this.closed) return;
    try {
      await this.redis
        .multi()
        .set(this.#key(`hb:${this.instance}`), '1', { PX: HEARTBEAT_TTL_MS })
        .sAdd(this.#key('instances'), this.instance)
        .exec();
    } catch {
      // Redis away: #onReady beats again when it returns.
    }
  }

  async #sweep() {
    if (!this.ready || this.sweeping || this.closed) return;
    this.sweeping = true;
    try {
      const now = Date.now();
      for (const inst of await this.redis.sMembers(this.#key('instances'))) {
        if (inst === this.instance) continue;
        const n = await this.#eval('REAP', [inst, now + this.o.graceMs], { once: true });
        if (n >= 0) this.log(`instance ${inst} stopped beating: ${n} peers enter their grace period`);
      }
      const due = await this.redis.zRangeByScore(this.#key('grace'), '-inf', now, { LIMIT: { offset: 0, count: 100 } });
      for (const id of due) await this.#eval('EXPIRE', [id, now, this.o.resumeTtlMs], { once: true });
    } catch {
      // the next sweep tries again
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * Runs a script. A command refused because Redis is away is retried once it is back (`once`:
   * thrown as StoreUnavailable instead); a command whose fate is unknown (the connection dropped
   * with it in flight) is retried too, which every script tolerates (seqs and epochs make a
   * second run a no-op).
   */
  async #eval(name, args, { once = false } = {}) {
    const script = this.scripts[name];
    const argv = args.map(String);
    for (;;) {
      if (this.closed) throw new StoreUnavailable('server shutting down');
      if (!this.ready) {
        if (once) throw new StoreUnavailable('redis unavailable');
        await this.#whenReady();
        continue;
      }
      try {
        try {
          return await this.redis.evalSha(script.sha, { arguments: argv });
        } catch (err) {
          if (!(err instanceof ErrorReply) || !String(err.message).startsWith('NOSCRIPT')) throw err;
          return await this.redis.eval(script.text, { arguments: argv });
        }
      } catch (err) {
        if (err instanceof ErrorReply) throw err; // a script error: a bug, not the network
        if (once) throw new StoreUnavailable(err.message);
        this.ready = false;
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
        if (this.redis.isReady && !this.ready) await this.#onReady().catch(() => {});
      }
    }
  }

  #key(suffix) {
    return this.o.prefix + suffix;
  }

  #safeUrl() {
    try {
      const u = new URL(this.o.url);
      if (u.password) u.password = '***';
      return u.toString();
    } catch {
      return 'redis';
    }
  }
}

/**
 * One socket's hold on a peer in the cluster: the epoch of its attach and the highest seq it
 * wrote to the socket. Frames arrive by pub/sub in seq order; anything missed (a subscriber
 * reconnect) is fetched from the replay log.
 */
export class Attach {
  constructor({ cluster, id, connection, sent }) {
    this.cluster = cluster;
    this.id = id;
    this.connection = connection;
    this.epoch = null; // known once the join/resume script has run
    this.sent = sent; // frames up to this seq are on the socket (or the client had them)
    this.early = []; // frames published before the script's reply reached us
    this.highest = 0;
    this.pulling = false;
    this.inSeq = 0;
  }

  /** The script ran: from now on frames of this epoch go to the socket, in order. */
  start(epoch, replay = []) {
    this.epoch = epoch;
    for (const text of replay) this.#write(seqOf(text), text);
    const early = this.early;
    this.early = null;
    for (const [e, seq, text] of early) this.frame(e, seq, text);
  }

  frame(epoch, seq, text) {
    if (this.early) return void this.early.push([epoch, seq, text]);
    if (epoch !== this.epoch || seq <= this.sent) return;
    this.highest = Math.max(this.highest, seq);
    if (seq === this.sent + 1 && !this.pulling) return this.#write(seq, text);
    this.pull();
  }

  /** Fetches what the log holds beyond what was sent (a frame was missed). */
  pull() {
    if (this.pulling || this.early || this.epoch === null) return;
    this.pulling = true;
    this.cluster
      .frames(this.id, this.sent)
      .then((texts) => {
        for (const text of texts) this.#write(seqOf(text), text);
      })
      .catch(() => {})
      .finally(() => {
        this.pulling = false;
        if (this.highest > this.sent && this.cluster.local.get(this.id) === this) this.pull();
      });
  }

  #write(seq, text) {
    if (seq <= this.sent) return;
    this.sent = seq;
    this.connection.sendText(text);
  }

  replaced() {
    this.connection.clusterReplaced(this);
  }

  stalled() {
    this.connection.clusterStalled(this);
  }

  stateLost() {
    this.connection.clusterStateLost(this);
  }
}

function seqOf(text) {
  // Every reliable frame starts {"type":"…","seq":N, (cluster_scripts.js: deliver).
  const at = text.indexOf('"seq":') + 6;
  return Number(text.slice(at, text.indexOf(',', at)));
}
