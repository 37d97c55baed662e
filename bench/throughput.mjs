// Frames/s through decode + validate + dispatch: candidates from a roster peer, each ending in
// pc.addIceCandidate on a stub peer connection, for the wasm core (through the public API) and a
// plain-JS equivalent (JSON.parse + the same checks + the same dispatch). Both run in this
// process against the same stubs, interleaved round by round.
//
//   node bench/throughput.mjs [--frames N] [--rounds R]  -> prints one JSON line
import { parseArgs } from 'node:util';
import { connect } from '../dist/index.js';

const { values: args } = parseArgs({ options: { frames: { type: 'string' }, rounds: { type: 'string' } } });
const FRAMES = Number(args.frames ?? 20000);
const ROUNDS = Number(args.rounds ?? 7);
const BATCH = 50; // frames per macrotask: operations complete between batches, as on a real socket

const SDP = 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n';
const CANDIDATE = 'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag EsAw network-cost 999';

let sockets = [];
class StubSocket {
  static OPEN = 1;
  readyState = 0;
  sent = 0;
  constructor(url) {
    this.url = url;
    sockets.push(this);
  }
  send() {
    this.sent++;
  }
  close() {
    this.readyState = 3;
  }
}

let added = 0;
class StubPeerConnection {
  signalingState = 'stable';
  connectionState = 'new';
  localDescription = null;
  createDataChannel() {
    return { readyState: 'connecting', close() {}, send() {} };
  }
  setRemoteDescription(d) {
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
    return Promise.resolve();
  }
  setLocalDescription() {
    this.localDescription = { type: 'answer', sdp: SDP };
    this.signalingState = 'stable';
    return Promise.resolve();
  }
  addIceCandidate() {
    added++;
    return Promise.resolve();
  }
  getSenders() {
    return [];
  }
  close() {}
}

globalThis.WebSocket = StubSocket;
globalThis.RTCPeerConnection = StubPeerConnection;

const tick = () => new Promise((resolve) => setImmediate(resolve));
const candidateFrame = (seq) =>
  `{"type":"signal","seq":${seq},"from":"p2","data":{"candidate":{"candidate":"${CANDIDATE}","sdpMid":"0","sdpMLineIndex":0}}}`;

/** Joins a room through the stub socket; p2 offers; resolves with the socket once answered. */
async function wasmSession() {
  sockets = [];
  const joined = connect({ url: 'ws://bench.invalid/signal', room: 'bench', name: 'a', reconnect: false });
  for (let i = 0; sockets.length === 0; i++) {
    if (i > 10000) throw new Error('the client never opened its socket');
    await tick();
  }
  const ws = sockets[0];
  ws.readyState = 1;
  ws.onopen({});
  await tick();
  ws.onmessage({ data: '{"type":"welcome","id":"p1","room":"bench","resume":"t","resumed":false,"ack":0,"peers":[]}' });
  const client = await joined;
  ws.onmessage({ data: '{"type":"peer-joined","seq":1,"peer":{"id":"p2","name":"b"}}' });
  ws.onmessage({ data: `{"type":"signal","seq":2,"from":"p2","data":{"description":{"type":"offer","sdp":${JSON.stringify(SDP)}}}}` });
  for (let i = 0; i < 5; i++) await tick();
  return { client, feed: (text) => ws.onmessage({ data: text }) };
}

/** The plain-JS equivalent of the same path: what a hand-written client does per frame. */
function plainSession() {
  const roster = new Set(['p2']);
  const pc = new StubPeerConnection();
  let lastSeq = 2;
  let ackTimer = null;
  const ws = new StubSocket('ws://bench.invalid/signal');
  const queue = [];
  let busy = false;
  const pump = () => {
    if (busy || queue.length === 0) return;
    busy = true;
    pc.addIceCandidate(queue.shift()).then(() => {
      busy = false;
      pump();
    });
  };
  const feed = (text) => {
    if (text.length > 65536) return;
    let m;
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (m === null || typeof m !== 'object' || m.type !== 'signal') return;
    if (!Number.isSafeInteger(m.seq) || m.seq <= lastSeq) return;
    if (typeof m.from !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(m.from) || !roster.has(m.from)) return;
    lastSeq = m.seq;
    if (!ackTimer) ackTimer = setTimeout(() => ((ackTimer = null), ws.send(JSON.stringify({ type: 'ack', seq: lastSeq }))), 50);
    const c = m.data?.candidate;
    if (c === null || typeof c !== 'object') return;
    if (typeof c.candidate !== 'string' || c.candidate.length > 1024 || !c.candidate.startsWith('candidate:')) return;
    if (c.sdpMid !== undefined && c.sdpMid !== null && (typeof c.sdpMid !== 'string' || c.sdpMid.length > 64)) return;
    if (c.sdpMLineIndex !== undefined && c.sdpMLineIndex !== null && !(Number.isInteger(c.sdpMLineIndex) && c.sdpMLineIndex >= 0 && c.sdpMLineIndex < 65536)) return;
    queue.push({ candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null });
    pump();
  };
  return { client: { close: async () => clearTimeout(ackTimer) }, feed };
}

async function measure(session) {
  const frames = [];
  for (let i = 0; i < FRAMES; i++) frames.push(candidateFrame(i + 3));
  const before = added;
  const start = performance.now();
  for (let i = 0; i < FRAMES; i += BATCH) {
    for (let j = i; j < Math.min(FRAMES, i + BATCH); j++) session.feed(frames[j]);
    await tick();
  }
  while (added - before < FRAMES) {
    await tick();
    if (performance.now() - start > 60_000) throw new Error(`only ${added - before} of ${FRAMES} candidates applied`);
  }
  const ms = performance.now() - start;
  await session.client.close();
  return FRAMES / (ms / 1000);
}

const wasm = [];
const plain = [];
for (let r = 0; r < ROUNDS; r++) {
  wasm.push(await measure(await wasmSession()));
  plain.push(await measure(plainSession()));
}
console.log(JSON.stringify({ frames: FRAMES, rounds: ROUNDS, wasm, plain }));
