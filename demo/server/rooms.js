// Rooms, peers and reliable delivery. A Peer outlives its socket: while detached it stays in the
// room for the grace period, collecting the reliable frames it would have received, so a resume
// can replay them (docs/ARCHITECTURE.md#walkthrough-the-native-dialect). Transport concerns (parsing, rate limits, acks of client frames)
// live in connection.js; this file only knows "attached connection or not".
import { randomBytes } from 'node:crypto';
import { quote } from './log_text.js';

export const DEFAULT_MAX_PEERS = 32;
export const DEFAULT_GRACE_MS = 20_000;
// Replay queues are capped in bytes (the JSON text kept for each unacked frame), per peer and for
// the whole server. A full queue never evicts its peer: a peer in its grace period cannot ack, and
// room members flooding it must not be able to tear down its calls (see Rooms.#deliver).
export const DEFAULT_MAX_REPLAY_BYTES = 1024 * 1024;
export const DEFAULT_MAX_TOTAL_REPLAY_BYTES = 128 * 1024 * 1024;

export class Peer {
  constructor({ id, name, room, session, sub }) {
    this.id = id;
    this.name = name;
    this.room = room;
    this.session = session; // {sid, secret} or {sid, sh}: what its resume tokens are bound to
    this.sub = sub; // the access token's subject, null without auth
    this.connection = null;
    this.outSeq = 0; // last seq assigned to a reliable frame for this peer
    this.unacked = []; // [{seq, text, bytes}] in seq order
    this.unackedBytes = 0;
    this.inSeq = 0; // highest client signal seq processed
    this.graceTimer = null;
    this.budget = null; // the Rooms' shared byte counter, set by Rooms.add
  }

  get summary() {
    return { id: this.id, name: this.name };
  }

  /** `message` as it would go out next: numbered with the next seq, not yet kept or sent. */
  encode(message) {
    const { type, ...rest } = message;
    const seq = this.outSeq + 1;
    const text = JSON.stringify({ type, seq, ...rest });
    return { seq, text, bytes: Buffer.byteLength(text) };
  }

  /** Keeps an encode() result until acked, and sends it if attached. */
  deliver(entry) {
    this.outSeq = entry.seq;
    this.#keep(entry);
    this.connection?.sendText(entry.text);
  }

  /** Cumulative ack from the client. @returns false if it acks something never sent. */
  acknowledge(seq) {
    if (seq > this.outSeq) return false;
    let drop = 0;
    let bytes = 0;
    while (drop < this.unacked.length && this.unacked[drop].seq <= seq) bytes += this.unacked[drop++].bytes;
    if (drop) this.unacked.splice(0, drop);
    this.#release(bytes);
    return true;
  }

  /** Frees the whole queue (the peer is gone). */
  discard() {
    this.#release(this.unackedBytes);
    this.unacked = [];
  }

  #keep(entry) {
    this.unacked.push(entry);
    this.unackedBytes += entry.bytes;
    if (this.budget) this.budget.bytes += entry.bytes;
  }

  #release(bytes) {
    this.unackedBytes -= bytes;
    if (this.budget) this.budget.bytes -= bytes;
  }

  replayAfter(lastSeq) {
    this.acknowledge(Math.min(lastSeq, this.outSeq));
    for (const { seq, text } of this.unacked) if (seq > lastSeq) this.connection?.sendText(text);
  }
}

export class Rooms {
  constructor({
    maxPeers = DEFAULT_MAX_PEERS,
    graceMs = DEFAULT_GRACE_MS,
    maxReplayBytes = DEFAULT_MAX_REPLAY_BYTES,
    maxTotalReplayBytes = DEFAULT_MAX_TOTAL_REPLAY_BYTES,
    log = () => {},
  } = {}) {
    this.maxPeers = maxPeers;
    this.graceMs = graceMs;
    this.maxReplayBytes = maxReplayBytes;
    this.maxTotalReplayBytes = maxTotalReplayBytes;
    this.log = log;
    this.rooms = new Map(); // name -> Map(id -> Peer)
    this.peersById = new Map();
    this.replay = { bytes: 0 }; // every peer's unacked bytes, against maxTotalReplayBytes
    this.dropped = { signals: 0, control: 0 };
  }

  /** Counters for tests and operators. */
  stats() {
    let peers = 0;
    for (const members of this.rooms.values()) peers += members.size;
    return { rooms: this.rooms.size, peers, replayBytes: this.replay.bytes, dropped: { ...this.dropped } };
  }

  members(roomName) {
    return this.rooms.get(roomName) ?? new Map();
  }

  find(roomName, id) {
    return this.rooms.get(roomName)?.get(id) ?? null;
  }

  isFull(roomName) {
    return this.members(roomName).size >= this.maxPeers;
  }

  /**
   * Adds a peer and announces it to the others. `id` is given when a resume token re-creates a
   * peer this process does not know (e.g. after a restart); the caller checks it is free.
   */
  add(roomName, name, { id = this.#newId(), outSeq = 0, session, sub = null }) {
    let members = this.rooms.get(roomName);
    if (!members) this.rooms.set(roomName, (members = new Map()));
    const peer = new Peer({ id, name, room: roomName, session, sub });
    peer.budget = this.replay;
    // Continue the client's numbering: after a restart it has already processed up to lastSeq,
    // and restarting at 1 would make it drop our next frames as duplicates.
    peer.outSeq = outSeq;
    for (const other of members.values()) {
      this.#deliver(other, { type: 'peer-joined', peer: peer.summary });
    }
    members.set(id, peer);
    this.peersById.set(id, peer);
    this.log(`join room=${quote(roomName)} id=${quote(id)}`);
    return peer;
  }

  idInUse(id) {
    return this.peersById.has(id);
  }

  /** Removes the peer and tells everyone else why. */
  remove(peer, reason) {
    const members = this.rooms.get(peer.room);
    if (!members || members.get(peer.id) !== peer) return;
    clearTimeout(peer.graceTimer);
    peer.graceTimer = null;
    members.delete(peer.id);
    this.peersById.delete(peer.id);
    peer.discard();
    if (members.size === 0) this.rooms.delete(peer.room);
    this.log(`leave room=${quote(peer.room)} id=${quote(peer.id)} reason=${quote(reason)}`);
    for (const other of members.values()) {
      this.#deliver(other, { type: 'peer-left', id: peer.id, reason });
    }
  }

  attach(peer, connection) {
    clearTimeout(peer.graceTimer);
    peer.graceTimer = null;
    peer.connection = connection;
  }

  /** The socket is gone without a leave: keep the peer, silently, for the grace period. */
  detach(peer) {
    peer.connection = null;
    if (this.find(peer.room, peer.id) !== peer) return;
    clearTimeout(peer.graceTimer);
    peer.graceTimer = setTimeout(() => this.remove(peer, 'timeout'), this.graceMs);
  }

  /** @returns {'ok' | 'unknown-peer' | 'backlogged'} */
  relay(from, toId, data) {
    const to = this.find(from.room, toId);
    if (!to || to === from) return 'unknown-peer';
    return this.#deliver(to, { type: 'signal', from: from.id, data }) ? 'ok' : 'backlogged';
  }

  /** Drops every peer without announcements: the whole server is going away. */
  clear() {
    for (const peer of this.peersById.values()) {
      clearTimeout(peer.graceTimer);
      peer.discard();
    }
    this.rooms.clear();
    this.peersById.clear();
  }

  /**
   * Queues a reliable frame unless it would take the recipient's replay queue (or the server's)
   * past its byte cap. Over the cap nobody is evicted:
   * - a signal is refused and its sender told (`backlogged`), so flooding a peer costs the
   *   flooder, not the peer;
   * - a presence frame (peer-joined / peer-left) for a peer in its grace period is dropped: the
   *   welcome of its resume lists the room as it is then, and the client reconciles its roster
   *   with that list;
   * - a presence frame for a connected peer that has let its queue fill up (it does not ack)
   *   closes its socket; it resumes into a fresh welcome the same way.
   * @returns whether the frame was queued
   */
  #deliver(peer, message) {
    const entry = peer.encode(message);
    const fits =
      peer.unackedBytes + entry.bytes <= this.maxReplayBytes &&
      this.replay.bytes + entry.bytes <= this.maxTotalReplayBytes;
    if (fits) {
      peer.deliver(entry);
      return true;
    }
    if (message.type === 'signal') {
      this.dropped.signals++;
      return false;
    }
    this.dropped.control++;
    const connection = peer.connection;
    if (connection) {
      this.log(`stalled room=${quote(peer.room)} id=${quote(peer.id)}: ${peer.unackedBytes} bytes unacknowledged`);
      // Deferred so a relay in progress finishes before the connection changes under it.
      queueMicrotask(() => connection.close(1008, 'too many unacknowledged frames'));
    }
    return false;
  }

  #newId() {
    let id;
    do id = randomBytes(8).toString('base64url');
    while (this.peersById.has(id));
    return id;
  }
}
