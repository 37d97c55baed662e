// One WebSocket speaking the `native` v1 dialect (docs/ARCHITECTURE.md#walkthrough-the-native-dialect): frame limits, validation, rate
// limiting and abuse accounting, then join/resume, relay, acks, ping and leave against Rooms.
import { randomBytes } from 'node:crypto';
import { roomGranted } from './access_tokens.js';
import { parseClientFrame, utf8Bytes, LIMITS } from './protocol/validate.js';
import { TokenBucket } from './token_bucket.js';
import { newSession, hashSecret } from './resume_tokens.js';
import { Attach, StoreUnavailable } from './cluster.js';
import { quote } from './log_text.js';

export const CloseCode = Object.freeze({
  normal: 1000, // after leave
  goingAway: 1001, // server shutdown
  policy: 1008, // abuse: too many bad frames, sustained rate limit, never acking
  tooBig: 1009, // frame above the hard cap (ws maxPayload), the socket cannot continue
  replaced: 4001, // a resume of the same peer took over from this socket
  forbidden: 4403, // join for a room the access token does not grant
  idle: 4408, // nothing heard for idleMs
  roomFull: 4409,
  serviceRestart: 1012, // cluster mode: Redis lost this socket's session; the client resumes
  tryAgainLater: 1013, // cluster mode: Redis unavailable, the join was refused
});

// Cluster mode: frames waiting for Redis past this many close the socket (the client resumes
// and resends what was not acked).
const MAX_QUEUED_FRAMES = 1000;

export class Connection {
  constructor({ ws, rooms, cluster = null, resumeTokens, claims, queryRoom, config, log }) {
    this.ws = ws;
    this.rooms = rooms;
    this.cluster = cluster;
    this.queue = Promise.resolve(); // cluster mode: frames are handled one at a time, in order
    this.queued = 0;
    this.released = false;
    this.resumeTokens = resumeTokens;
    this.claims = claims;
    this.queryRoom = queryRoom;
    this.config = config;
    this.log = log;
    this.peer = null;
    this.closing = false;
    this.ackScheduled = false;
    this.rate = new TokenBucket({ ratePerSec: config.rate, burst: config.burst });
    // Bad frames are forgiven slowly (one every 3 s); a burst of maxBadFrames closes the socket.
    this.strikes = new TokenBucket({ ratePerSec: 1 / 3, burst: config.maxBadFrames });
    // Frames over the rate wait here, in order, until the bucket refills (see #onFrame).
    this.backlog = [];
    this.backlogBytes = 0;
    this.backlogTimer = null;
    this.paused = false;
    this.idleTimer = setTimeout(() => this.#onIdle(), config.idleMs);

    ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    ws.on('close', () => this.#release());
    ws.on('error', () => {}); // 'close' follows; nothing to add
  }

  sendText(text) {
    if (this.ws.readyState !== this.ws.OPEN) return;
    // A client that stops reading would make ws buffer without bound. Its peer keeps everything
    // reliable in the (byte-capped) replay queue, so dropping the socket loses nothing.
    if (this.ws.bufferedAmount > this.config.maxBufferedBytes) {
      this.log(`send buffer over ${this.config.maxBufferedBytes} bytes: closing`);
      this.ws.terminate();
      return;
    }
    this.ws.send(text);
  }

  send(message) {
    this.sendText(JSON.stringify(message));
  }

  close(code, reason) {
    if (this.closing) return;
    this.closing = true;
    this.#release();
    this.ws.close(code, reason);
    // A peer that vanished never completes the close handshake; do not wait ws's 30 s for it.
    this.killTimer = setTimeout(() => this.ws.terminate(), 2000);
    this.killTimer.unref();
  }

  #error(code, message, fatal = false) {
    this.send({ type: 'error', code, message, fatal });
  }

  #badFrame(code, message) {
    this.#error(code, message);
    if (!this.strikes.take() || this.strikes.tokens < 1) this.close(CloseCode.policy, 'too many bad frames');
  }

  /**
   * Rate limit by backpressure, not by loss: a frame over the per-connection rate waits in a
   * backlog (in arrival order) and is processed when the token bucket refills. Past
   * backlogBytes the socket stops being read, so TCP pushes back on the sender; a client that
   * keeps writing past twice that (it ignores TCP) is closed as abusive. Nothing a well-behaved
   * client sends is dropped, so a burst of candidates from a newcomer meeting 31 peers arrives
   * late rather than never. The welcome advertises the rate so SDK clients pace themselves.
   */
  #onFrame(data, isBinary) {
    if (this.closing) return;
    this.idleTimer.refresh();
    if (this.backlog.length === 0 && this.rate.take()) return this.#process(data, isBinary);
    this.backlog.push([data, isBinary]);
    this.backlogBytes += data.length;
    if (this.backlogBytes > 2 * this.config.backlogBytes) {
      this.log(`rate backlog over ${2 * this.config.backlogBytes} bytes: closing`);
      return this.close(CloseCode.policy, 'rate limit exceeded');
    }
    if (this.backlogBytes > this.config.backlogBytes && !this.paused) {
      this.paused = true;
      this.ws.pause();
    }
    this.#scheduleBacklog();
  }

  #scheduleBacklog() {
    if (this.backlogTimer || this.backlog.length === 0 || this.closing) return;
    this.backlogTimer = setTimeout(() => {
      this.backlogTimer = null;
      while (this.backlog.length > 0 && !this.closing && this.rate.take()) {
        const [data, isBinary] = this.backlog.shift();
        this.backlogBytes -= data.length;
        this.#process(data, isBinary);
      }
      if (this.paused && this.backlogBytes <= this.config.backlogBytes / 2 && !this.closing) {
        this.paused = false;
        this.ws.resume();
      }
      this.#scheduleBacklog();
    }, Math.max(1, this.rate.msUntilToken()));
  }

  #process(data, isBinary) {
    if (data.length > this.config.maxFrame) {
      return this.#badFrame('message-too-large', `frame exceeds ${this.config.maxFrame} bytes`);
    }
    if (isBinary) return this.#badFrame('bad-message', 'binary frames are not supported');
    const parsed = parseClientFrame(data.toString('utf8'));
    if (!parsed.ok) return this.#badFrame(parsed.code, parsed.reason);
    const message = parsed.message;
    if (!message) return; // unknown type: ignored for forward compatibility
    // Answered at once, also while cluster frames wait for Redis: the client's liveness check
    // must not fail because the store is slow.
    if (message.type === 'ping') return this.send({ type: 'pong' });
    if (this.cluster) return this.#enqueue(message);
    this.#handle(message);
  }

  #handle(message) {
    if (message.type === 'join') return this.#onJoin(message);
    if (!this.peer) return this.#error('not-joined', `${message.type} before join`);
    if (message.type === 'signal') return this.#onSignal(message);
    if (message.type === 'ack') return this.#onAck(message);
    if (message.type === 'leave') return this.#onLeave();
  }

  /** Cluster mode: each frame's Redis round trip completes before the next frame is handled. */
  #enqueue(message) {
    if (++this.queued > MAX_QUEUED_FRAMES) {
      this.log(`over ${MAX_QUEUED_FRAMES} frames waiting for redis: closing`);
      return this.close(CloseCode.tryAgainLater, 'signaling store unavailable');
    }
    this.queue = this.queue
      .then(() => (this.released ? undefined : this.#handle(message)))
      .catch((err) => {
        if (err instanceof StoreUnavailable) return this.#unavailable();
        this.log(`cluster error: ${quote(err.message)}`);
        this.close(1011, 'internal error');
      })
      .finally(() => this.queued--);
  }

  #onJoin(m) {
    if (this.peer) return this.#badFrame('bad-message', 'already joined');
    if (this.queryRoom !== null && m.room !== this.queryRoom) {
      return this.#badFrame('bad-message', 'join.room differs from the room in the URL');
    }
    if (!roomGranted(this.claims, m.room)) {
      this.#error('forbidden', `room ${quote(m.room)} is not granted by the access token`, true);
      return this.close(CloseCode.forbidden, 'forbidden');
    }
    const claimedName = this.claims?.name;
    // With auth on, the token's name is authoritative: a client cannot pose as someone else.
    const name =
      typeof claimedName === 'string' && utf8Bytes(claimedName) <= LIMITS.maxNameBytes ? claimedName : m.name;
    const lastSeq = m.lastSeq ?? 0;

    const sub = typeof this.claims?.sub === 'string' ? this.claims.sub : null;
    if (this.cluster) return this.#clusterJoin(m, { name, lastSeq, sub });
    let peer = null;
    let resumed = false;
    let restored = false;
    let session = null; // set when this welcome starts a new session: its secret goes to the client
    if (m.resume !== undefined) {
      const verdict = this.resumeTokens.verify(m.resume, { secret: m.secret, sub });
      // A refused resume is not an error for an honest client (its session may simply be gone):
      // it joins as a new peer, and the holder of a stolen token gets nobody's id or replay.
      const token = verdict.ok && verdict.claims.room === m.room ? verdict.claims : null;
      if (!verdict.ok) this.log(`resume refused room=${quote(m.room)}: ${verdict.reason}`);
      const existing = token ? this.rooms.find(m.room, token.id) : null;
      if (existing && existing.session.sid === token.sid) {
        // Same peer on a new socket (the old one may be half-open): move it here, silently.
        const previous = existing.connection;
        if (previous && previous !== this) {
          previous.peer = null;
          previous.close(CloseCode.replaced, 'resumed on another connection');
        }
        peer = existing;
        resumed = true;
      } else if (token && !existing && !this.rooms.idInUse(token.id)) {
        if (this.rooms.isFull(m.room)) return this.#roomFull(m.room);
        if (this.resumeTokens.issuedHere(token)) {
          // Grace expired: the room was told this peer left and dropped its connections to it.
          // Same id, but a fresh session (resumed:false) so the client reconnects its calls.
          session = newSession();
          peer = this.rooms.add(m.room, token.name, { id: token.id, session, sub });
        } else {
          // Issued before a restart: the others are resuming too and kept their calls. Re-create
          // the session from the token alone (restored: nothing to replay, seq memory lost); the
          // numbering continues after lastSeq so the client does not drop new frames.
          const kept = { sid: token.sid, sh: token.sh };
          peer = this.rooms.add(m.room, token.name, { id: token.id, outSeq: lastSeq, session: kept, sub });
          resumed = true;
          restored = true;
        }
      }
    }
    if (!peer) {
      if (this.rooms.isFull(m.room)) return this.#roomFull(m.room);
      session = newSession();
      peer = this.rooms.add(m.room, name, { session, sub });
    }
    this.rooms.attach(peer, this);
    this.peer = peer;
    const peers = [...this.rooms.members(m.room).values()].filter((p) => p !== peer).map((p) => p.summary);
    this.#welcome(peer, { secret: session?.secret, resumed, restored, peers });
    if (resumed) peer.replayAfter(lastSeq);
  }

  #welcome(peer, { secret, resumed, restored, peers }) {
    const { room, id, name, sub, session } = peer;
    this.send({
      type: 'welcome',
      id,
      room,
      resume: this.resumeTokens.issue({ room, id, name, sub, session }),
      ...(secret ? { secret } : {}),
      resumed,
      ...(restored ? { restored: true } : {}),
      ack: peer.inSeq,
      peers,
      // What #onFrame processes without queueing: SDK clients pace their sends to it.
      rate: { framesPerSec: this.config.rate, burst: this.config.burst },
    });
  }

  // ------------------------------------------------------------------ cluster mode (cluster.js)

  /** Join or resume against Redis; the same outcomes as the single-process path above. */
  async #clusterJoin(m, { name, lastSeq, sub }) {
    const cluster = this.cluster;
    if (!cluster.available) return this.#unavailable();
    const room = m.room;
    let joined = null;
    if (m.resume !== undefined) {
      const verdict = this.resumeTokens.verify(m.resume, { secret: m.secret, sub });
      const token = verdict.ok && verdict.claims.room === room ? verdict.claims : null;
      if (!verdict.ok) this.log(`resume refused room=${quote(room)}: ${verdict.reason}`);
      if (token) {
        const attach = new Attach({ cluster, id: token.id, connection: this, sent: lastSeq });
        const r = await cluster.resume({ id: token.id, sid: token.sid, room, lastSeq, attach });
        if (!r.refused) {
          joined = { attach, epoch: r.epoch, replay: r.replay, name: r.name, inSeq: r.inSeq, peers: r.members };
          joined.session = { sid: token.sid, sh: token.sh };
          joined.resumed = true;
        } else if (r.refused === 'missing') {
          // Gone from Redis: grace ran out (a fresh session, same id) or Redis lost it (the
          // token's session re-created, numbering after lastSeq), decided in one step.
          const fresh = newSession();
          const again = new Attach({ cluster, id: token.id, connection: this, sent: lastSeq });
          const j = await cluster.join({
            room, id: token.id, name: token.name, sub, out: lastSeq, attach: again, mode: 'resume',
            session: { sid: fresh.sid, sh: hashSecret(fresh.secret) }, token: { sid: token.sid, sh: token.sh },
          });
          if (j.refused === 'full') return this.#roomFull(room);
          if (!j.refused) {
            joined = { attach: again, epoch: j.epoch, name: token.name, inSeq: 0, peers: j.members };
            if (j.kind === 'fresh') {
              again.sent = 0;
              joined.session = { sid: fresh.sid, sh: hashSecret(fresh.secret) };
              joined.secret = fresh.secret;
              joined.resumed = false;
            } else {
              joined.session = { sid: token.sid, sh: token.sh };
              joined.resumed = true;
              joined.restored = true;
            }
          }
        }
      }
    }
    for (let tries = 0; !joined && tries < 3; tries++) {
      const session = newSession();
      const id = randomId();
      const attach = new Attach({ cluster, id, connection: this, sent: 0 });
      const j = await cluster.join({ room, id, name, sub, attach, session: { sid: session.sid, sh: hashSecret(session.secret) } });
      if (j.refused === 'full') return this.#roomFull(room);
      if (!j.refused) {
        joined = { attach, epoch: j.epoch, name, inSeq: 0, peers: j.members, resumed: false, secret: session.secret };
        joined.session = { sid: session.sid, sh: hashSecret(session.secret) };
      }
    }
    if (!joined) throw new Error('no free peer id');
    const { attach } = joined;
    if (this.released || this.closing) return cluster.detach(attach);
    this.peer = { id: attach.id, room, name: joined.name, sub, session: joined.session, inSeq: joined.inSeq, attach };
    this.#welcome(this.peer, joined);
    attach.start(joined.epoch, joined.replay);
  }

  async #clusterSignal(m) {
    const peer = this.peer;
    if (m.seq <= peer.inSeq) return this.#scheduleAck();
    const [outcome, inSeq] = await this.cluster.relay(peer.attach, m.seq, m.to, m.data);
    if (this.#lostAttach(outcome)) return;
    if (outcome === 'self') this.#badFrame('bad-message', 'signal addressed to yourself');
    if (outcome === 'unknown-peer') this.#error('unknown-peer', `no peer ${quote(m.to)} in room ${quote(peer.room)}`);
    if (outcome === 'backlogged') {
      this.#error('peer-backlogged', `peer ${quote(m.to)} has too much unacknowledged data; signal dropped`);
    }
    if (this.peer === peer) peer.inSeq = Math.max(peer.inSeq, inSeq);
    this.#scheduleAck();
  }

  async #clusterAck(m) {
    const outcome = await this.cluster.ack(this.peer.attach, m.seq);
    if (this.#lostAttach(outcome)) return;
    if (outcome === 'beyond') this.#badFrame('bad-message', `ack ${m.seq} beyond last seq`);
  }

  async #clusterLeave() {
    const peer = this.peer;
    this.resumeTokens.revoke(peer.session.sid);
    // 'missing' or 'replaced': another socket or Redis's loss ended this attach already.
    await this.cluster.leave(peer.attach, peer.session.sid);
    this.peer = null;
    this.close(CloseCode.normal, 'left');
  }

  /** A script found this socket's attach gone: another socket took over, or Redis lost it. */
  #lostAttach(outcome) {
    if (outcome === 'replaced') {
      this.clusterReplaced(this.peer?.attach);
      return true;
    }
    if (outcome === 'missing') {
      this.clusterStateLost(this.peer?.attach);
      return true;
    }
    return false;
  }

  clusterReplaced(attach) {
    if (!attach || this.peer?.attach !== attach) return;
    this.peer = null;
    this.close(CloseCode.replaced, 'resumed on another connection');
  }

  clusterStalled(attach) {
    if (!attach || this.peer?.attach !== attach) return;
    this.log(`stalled id=${quote(attach.id)}: too many unacknowledged frames`);
    this.close(CloseCode.policy, 'too many unacknowledged frames');
  }

  clusterStateLost(attach) {
    if (!attach || this.peer?.attach !== attach) return;
    this.peer = null;
    this.close(CloseCode.serviceRestart, 'signaling state lost; resume');
  }

  #unavailable() {
    this.#error('unavailable', 'the signaling store (redis) is unavailable; try again shortly');
    this.close(CloseCode.tryAgainLater, 'signaling store unavailable');
  }

  #roomFull(room) {
    this.#error('room-full', `room ${quote(room)} is full`, true);
    this.close(CloseCode.roomFull, 'room full');
  }

  #onSignal(m) {
    if (this.cluster) return this.#clusterSignal(m);
    const peer = this.peer;
    // Seen before (a resend after resume): drop, but ack so the client stops resending it.
    if (m.seq > peer.inSeq) {
      if (m.to === peer.id) {
        this.#badFrame('bad-message', 'signal addressed to yourself');
      } else {
        const outcome = this.rooms.relay(peer, m.to, m.data);
        if (outcome === 'unknown-peer') this.#error('unknown-peer', `no peer ${quote(m.to)} in room ${quote(peer.room)}`);
        if (outcome === 'backlogged') {
          this.#error('peer-backlogged', `peer ${quote(m.to)} has too much unacknowledged data; signal dropped`);
        }
      }
      // Gaps are accepted: after a server restart the client resends from its oldest unacked seq.
      // Rejected signals are consumed too, otherwise the client would resend them forever.
      peer.inSeq = m.seq;
    }
    this.#scheduleAck();
  }

  /** Acks are cumulative and batched per event-loop turn: a burst of signals gets one ack. */
  #scheduleAck() {
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => {
      this.ackScheduled = false;
      if (this.peer) this.send({ type: 'ack', seq: this.peer.inSeq });
    });
  }

  #onAck(m) {
    if (this.cluster) return this.#clusterAck(m);
    if (!this.peer.acknowledge(m.seq)) this.#badFrame('bad-message', `ack ${m.seq} beyond last seq ${this.peer.outSeq}`);
  }

  #onLeave() {
    if (this.cluster) return this.#clusterLeave();
    const peer = this.peer;
    this.peer = null;
    this.resumeTokens.revoke(peer.session.sid);
    this.rooms.remove(peer, 'left');
    this.close(CloseCode.normal, 'left');
  }

  #onIdle() {
    this.close(CloseCode.idle, 'nothing heard from the client');
  }

  /** The socket is done: a joined peer without leave enters its grace period. Idempotent. */
  #release() {
    clearTimeout(this.idleTimer);
    clearTimeout(this.backlogTimer);
    this.backlogTimer = null;
    this.backlog = [];
    this.backlogBytes = 0;
    this.released = true;
    if (!this.peer) return;
    const peer = this.peer;
    this.peer = null;
    if (this.cluster) {
      this.cluster.detach(peer.attach);
      return;
    }
    if (peer.connection === this) this.rooms.detach(peer);
  }

  /** Server shutdown. */
  shutdown() {
    // Cluster mode: the peer stays in Redis (Cluster.stop starts its grace period) for another
    // instance to resume.
    this.peer = null; // no grace, no announcements: the whole server is going away
    this.close(CloseCode.goingAway, 'server shutting down');
  }
}

function randomId() {
  return randomBytes(8).toString('base64url');
}
