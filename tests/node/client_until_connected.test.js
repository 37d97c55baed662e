// signaling: 'until-connected' with in-band signaling, real WebRTC (@roamhq/wrtc) through the
// reference server (README.md#signaling-only-for-setup): the sockets close once the call is up,
// an ICE restart then goes over the connection's own channel without reopening them, and
// reconnectNow() reopens one to meet a newcomer, after which it closes again.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeAll, connectFast } from './helpers/clients.js';
import { record } from './helpers/events.js';
import { startServer } from './helpers/server.js';
import { connections, installTrackedWebRtc, ufrag } from './helpers/webrtc.js';
import { waitFor, watch } from './proxy/scenario.js';

let server;
before(async () => {
  await installTrackedWebRtc();
  // A dormant client's socket is closed: the grace period decides how long the server keeps it
  // in the room. Long enough for the whole test.
  server = await startServer(['--grace-ms', '120000']);
});
after(() => server?.stop());

test('UntilConnected_InBand_RestartsIceWhileDormantAndReopensOnlyWhenAskedToMeetANewcomer', { timeout: 60_000 }, async (t) => {
  const first = connections.length;
  const options = { url: server.url, room: 'dormant', signaling: 'until-connected' };
  const a = watch(await connectFast({ ...options, name: 'a' }));
  const b = watch(await connectFast({ ...options, name: 'b' }));
  let c;
  t.after(() => closeAll(a.client, b.client, c?.client));
  const states = [a, b].map((w) => record(w.client, ['state']));
  await waitFor(() => [a, b].every((w) => w.client.state === 'dormant'), 20_000, 'both dormant once connected');
  assert.equal(connections.length - first, 2, 'one connection each');
  const pcs = connections.slice(first); // a's and b's, in creation order
  const before = pcs.map((pc) => ufrag(pc.appliedLocal));
  const serverSignals = [a.client.stats.signalsSent, b.client.stats.signalsSent];
  const inBand = [a.client.stats.signalsReceivedInBand, b.client.stats.signalsReceivedInBand];

  // An ICE restart while both are dormant: offer, answer and candidates on the channel.
  a.client.restartIce(b.id);
  await waitFor(
    () => pcs.every((pc, i) => ufrag(pc.appliedLocal) !== before[i] && pc.connectionState === 'connected'),
    20_000,
    'new ICE credentials on both sides, connected',
  );
  assert.equal(ufrag(pcs[0].appliedRemote), ufrag(pcs[1].appliedLocal), 'each applied the other\'s new credentials');
  assert.equal(ufrag(pcs[1].appliedRemote), ufrag(pcs[0].appliedLocal));
  assert.ok(b.client.stats.signalsReceivedInBand > inBand[1] && a.client.stats.signalsReceivedInBand > inBand[0]);
  assert.deepEqual([a.client.stats.signalsSent, b.client.stats.signalsSent], serverSignals, 'nothing through the server');
  for (const [w, log] of [[a, states[0]], [b, states[1]]]) {
    assert.equal(w.client.state, 'dormant');
    assert.equal(log.filter((e) => e.state === 'connecting').length, 0, `${w.id} never reopened`);
  }
  const got = new Promise((resolve) => b.client.on('data', ({ data }) => data === 'after restart' && resolve()));
  a.client.send(b.id, 'after restart');
  await got;

  // A newcomer: the dormant clients cannot know, until one is asked to look.
  c = watch(await connectFast({ url: server.url, room: 'dormant', name: 'c' }));
  const joined = record(a.client, ['peer-joined']);
  a.client.reconnectNow();
  await waitFor(() => joined.some((e) => e.id === c.id), 10_000, 'a meets c after reconnectNow');
  await waitFor(() => a.channels.has(c.id) && c.channels.has(a.id), 20_000, 'a and c connected');
  await waitFor(() => a.client.state === 'dormant', 20_000, 'a dormant again once settled');
  assert.equal(b.client.state, 'dormant', 'b was not asked and stayed dormant');
  for (const w of [a, b]) {
    assert.deepEqual(w.left, []);
    assert.deepEqual(w.badPeerStates, []);
    assert.deepEqual(w.errors, []);
  }
  console.log(
    `[until-connected] in-band signals a ${a.client.stats.signalsSentInBand}/${a.client.stats.signalsReceivedInBand} ` +
      `b ${b.client.stats.signalsSentInBand}/${b.client.stats.signalsReceivedInBand} (sent/received); ` +
      `server signals a ${a.client.stats.signalsSent} b ${b.client.stats.signalsSent}`,
  );
});
