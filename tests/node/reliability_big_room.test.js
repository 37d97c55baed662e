// A newcomer joining a big room through the real reference server with its default limits: it
// opens one real peer connection (@roamhq/wrtc) per member and sends every offer and candidate in
// one burst, several times the server's per-connection rate. Nothing may be lost or closed.
//
// The 31 members are scripted here with plain `ws` + RTCPeerConnection (answerers that count what
// they receive), so the process holds 62 peer connections instead of a full 32-peer mesh.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { closeAll, connectFast } from './helpers/clients.js';
import { record, untilStalled } from './helpers/events.js';
import { startServer } from './helpers/server.js';
import { connections, installTrackedWebRtc } from './helpers/webrtc.js';

const MEMBERS = 31;
// How long nothing may move before the test fails. The burst is paced under the server's rate
// limit, so how long it takes grows with the candidates this host gathers (~42 per connection on
// the CI machine, ~1300 signals): a fixed deadline measured the machine, not the SDK.
const STALL_MS = 30_000;

/** Listeners told whenever anything in the test moves: a candidate, an end, a channel. */
const listeners = new Set();
const notify = () => listeners.forEach((fn) => fn());
const subscribe = (fn) => (listeners.add(fn), () => listeners.delete(fn));

let server;
let wrtc;
before(async () => {
  wrtc = await installTrackedWebRtc(); // members use wrtc's class directly: not tracked
  server = await startServer([]); // the defaults users run: 50 frames/s, burst 100
});
after(() => server.stop());

/** A room member speaking the native protocol by hand, answering whatever offer it gets. */
async function member(room, index) {
  const ws = new WebSocket(server.url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const self = { ws, id: null, seq: 0, candidates: 0, pc: null, closes: 0 };
  self.done = false;
  const send = (message) => ws.send(JSON.stringify(message));
  const signal = (to, data) => send({ type: 'signal', to, seq: ++self.seq, data });
  // Like any client, a member pings: the last one may wait longer than the server's idle limit
  // (30 s) for its offer, which is queued behind the candidates the newcomer sends to the others.
  const heartbeat = setInterval(() => send({ type: 'ping' }), 10_000);
  ws.on('close', () => {
    self.closes++;
    clearInterval(heartbeat);
  });
  const welcome = new Promise((resolve) => {
    ws.on('message', async (raw) => {
      const m = JSON.parse(raw.toString());
      if (m.seq) send({ type: 'ack', seq: m.seq });
      if (m.type === 'welcome') {
        self.id = m.id;
        resolve();
      }
      if (m.type !== 'signal') return;
      const from = m.from;
      if (m.data.description?.type === 'offer') {
        self.pc = new wrtc.RTCPeerConnection();
        self.pc.createDataChannel('data', { negotiated: true, id: 0 });
        self.pc.onicecandidate = ({ candidate }) =>
          signal(from, { candidate: candidate ? candidate.toJSON() : null });
        await self.pc.setRemoteDescription(m.data.description);
        await self.pc.setLocalDescription(await self.pc.createAnswer());
        signal(from, { description: { type: 'answer', sdp: self.pc.localDescription.sdp } });
      } else if (m.data.candidate) {
        self.candidates++;
        notify();
        await self.pc.addIceCandidate(m.data.candidate);
      } else if (m.data.candidate === null) {
        self.done = true;
        notify();
      }
    });
  });
  send({ type: 'join', room, name: `member-${index}` });
  await welcome;
  return self;
}

test('Server_NewcomerMeeting31PeersGetsEveryCandidateThroughWithNoSocketClosed', { timeout: 600_000 }, async (t) => {
  const room = 'big-room';
  const members = [];
  for (let i = 0; i < MEMBERS; i++) members.push(await member(room, i));
  t.after(() => {
    for (const m of members) {
      m.ws.terminate();
      m.pc?.close();
    }
  });

  const before = connections.length;
  const open = new Set();
  const started = performance.now();
  const newcomer = await connectFast({ url: server.url, room, name: 'newcomer' });
  t.after(() => closeAll(newcomer));
  const events = record(newcomer, ['reconnecting', 'error']);
  newcomer.on('channel', ({ id, state }) => state === 'open' && open.add(id));
  newcomer.on('channel', notify);
  newcomer.on('peer-state', notify);
  const moved = () => open.size + members.reduce((sum, m) => sum + m.candidates + (m.done ? 1 : 0), 0);

  await untilStalled(subscribe, () => open.size === MEMBERS, moved, STALL_MS, 'every data channel open');
  // Printed, not asserted: how long the last member waited for its call (the pacer's order).
  const allOpenMs = Math.round(performance.now() - started);
  const mine = connections.slice(before); // members use wrtc's class directly: only the newcomer's
  assert.equal(mine.length, MEMBERS);
  // Every member receives the end of the newcomer's candidates, and as many as were gathered.
  await untilStalled(subscribe, () => members.every((m) => m.done), moved, STALL_MS, 'end-of-candidates at every member');
  const sent = mine.reduce((sum, pc) => sum + pc.gathered, 0);
  const received = members.reduce((sum, m) => sum + m.candidates, 0);
  console.log(`# ${MEMBERS} members: every data channel open after ${allOpenMs} ms; newcomer gathered ${sent} candidates, members received ${received}; stats ${JSON.stringify(newcomer.stats)}`);
  assert.ok(mine.every((pc) => pc.gatheringDone), 'every newcomer connection finished gathering');
  assert.equal(received, sent, 'every candidate gathered was delivered');
  assert.deepEqual(events.filter((e) => e.event === 'reconnecting'), [], 'the newcomer never reconnected');
  assert.deepEqual(events.filter((e) => e.event === 'error'), []);
  assert.equal(members.reduce((sum, m) => sum + m.closes, 0), 0, 'no member socket closed');
});
