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
import { record, until, withTimeout } from './helpers/events.js';
import { startServer } from './helpers/server.js';
import { connections, installTrackedWebRtc } from './helpers/webrtc.js';

const MEMBERS = 31;

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
  let ended;
  const self = { ws, id: null, seq: 0, candidates: 0, pc: null, closes: 0 };
  self.ended = new Promise((resolve) => (ended = resolve));
  const send = (message) => ws.send(JSON.stringify(message));
  const signal = (to, data) => send({ type: 'signal', to, seq: ++self.seq, data });
  ws.on('close', () => self.closes++);
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
        await self.pc.addIceCandidate(m.data.candidate);
      } else if (m.data.candidate === null) {
        ended();
      }
    });
  });
  send({ type: 'join', room, name: `member-${index}` });
  await welcome;
  return self;
}

test('Server_NewcomerMeeting31PeersGetsEveryCandidateThroughWithNoSocketClosed', { timeout: 120_000 }, async (t) => {
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
  const newcomer = await connectFast({ url: server.url, room, name: 'newcomer' });
  t.after(() => closeAll(newcomer));
  const events = record(newcomer, ['reconnecting', 'error']);
  newcomer.on('channel', ({ id, state }) => state === 'open' && open.add(id));

  await until(newcomer, ['channel', 'peer-state'], () => open.size === MEMBERS, 60_000, 'every data channel open');
  const mine = connections.slice(before); // members use wrtc's class directly: only the newcomer's
  assert.equal(mine.length, MEMBERS);
  // Every member receives the end of the newcomer's candidates, and as many as were gathered.
  await withTimeout(Promise.all(members.map((m) => m.ended)), 30_000, 'end-of-candidates at every member');
  const sent = mine.reduce((sum, pc) => sum + pc.gathered, 0);
  const received = members.reduce((sum, m) => sum + m.candidates, 0);
  console.log(`# ${MEMBERS} members: newcomer gathered ${sent} candidates, members received ${received}; stats ${JSON.stringify(newcomer.stats)}`);
  assert.ok(mine.every((pc) => pc.gatheringDone), 'every newcomer connection finished gathering');
  assert.equal(received, sent, 'every candidate gathered was delivered');
  assert.deepEqual(events.filter((e) => e.event === 'reconnecting'), [], 'the newcomer never reconnected');
  assert.deepEqual(events.filter((e) => e.event === 'error'), []);
  assert.equal(members.reduce((sum, m) => sum + m.closes, 0), 0, 'no member socket closed');
});
