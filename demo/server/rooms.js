// Rooms, peers and reliable delivery. A Peer outlives its socket: while detached it stays in the
// room for the grace period, collecting the reliable frames it would have received, so a resume
// can replay them (DESIGN §4.1). Transport concerns (parsing, rate limits, acks of client frames)
// live in connection.js; this file only knows "attached connection or not".
import { randomBytes } from 'node:crypto';

export const DEFAULT_MAX_PEERS = 32;
export const DEFAULT_GRACE_MS = 20_000;
// A peer that never acks would grow its replay queue forever; past this it is dropped.
export const DEFAULT_MAX_UNACKED = 1024;

export class Peer {
  constructor({ id, name, room }) {
    this.id = id;
    this.name = name;
    this.room = room;
    this.connection = null;
    this.outSeq = 0; // last seq assigned to a reliable frame for this peer
    this.unacked = []; // [{seq, text}] in seq order
    this.inSeq = 0; // highest client signal seq processed
    this.graceTimer = null;
  }

  get summary() {
    return { id: this.id, name: this.name };
  }

  /** Numbers `message` for this recipient, keeps it until acked, and sends it if attached. */
  deliver(message) {
    const { type, ...rest } = message;
    const seq = ++this.outSeq;
    const text = JSON.stringify({ type, seq, ...rest });
    this.unacked.push({ seq, text });
    this.connection?.sendText(text);
    return this.unacked.length;
  }

  /** Cumulative ack from the client. @returns false if it acks something never sent. */
  acknowledge(seq) {
    if (seq > this.outSeq) return false;
    let drop = 0;
    while (drop < this.unacked.length && this.unacked[drop].seq <= seq) drop++;
    if (drop) this.unacked.splice(0, drop);
    return true;
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
    maxUnacked = DEFAULT_MAX_UNACKED,
    log = () => {},
  } = {}) {
    this.maxPeers = maxPeers;
    this.graceMs = graceMs;
    this.maxUnacked = maxUnacked;
    this.log = log;
    this.rooms = new Map(); // name -> Map(id -> Peer)
    this.peersById = new Map();
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
  add(roomName, name, { id = this.#newId(), outSeq = 0 } = {}) {
    let members = this.rooms.get(roomName);
    if (!members) this.rooms.set(roomName, (members = new Map()));
    const peer = new Peer({ id, name, room: roomName });
    // Continue the client's numbering: after a restart it has already processed up to lastSeq,
    // and restarting at 1 would make it drop our next frames as duplicates.
    peer.outSeq = outSeq;
    for (const other of members.values()) {
      this.#deliver(other, { type: 'peer-joined', peer: peer.summary });
    }
    members.set(id, peer);
    this.peersById.set(id, peer);
    this.log(`join room=${roomName} id=${id}`);
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
    if (members.size === 0) this.rooms.delete(peer.room);
    this.log(`leave room=${peer.room} id=${peer.id} reason=${reason}`);
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

  /** @returns {'ok' | 'unknown-peer'} */
  relay(from, toId, data) {
    const to = this.find(from.room, toId);
    if (!to || to === from) return 'unknown-peer';
    this.#deliver(to, { type: 'signal', from: from.id, data });
    return 'ok';
  }

  /** Drops every peer without announcements: the whole server is going away. */
  clear() {
    for (const peer of this.peersById.values()) clearTimeout(peer.graceTimer);
    this.rooms.clear();
    this.peersById.clear();
  }

  #deliver(peer, message) {
    if (peer.deliver(message) <= this.maxUnacked) return;
    this.log(`evict room=${peer.room} id=${peer.id}: ${this.maxUnacked} frames unacknowledged`);
    const connection = peer.connection;
    // Deferred so a relay in progress finishes before the room changes under it.
    queueMicrotask(() => {
      connection?.close(1008, 'too many unacknowledged frames');
      this.remove(peer, 'timeout');
    });
  }

  #newId() {
    let id;
    do id = randomBytes(8).toString('base64url');
    while (this.peersById.has(id));
    return id;
  }
}
