// Real peer connections (@roamhq/wrtc) driven by the wasm core through the reference server.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeAll, connectFast } from './helpers/clients.js';
import { once, record, until } from './helpers/events.js';
import { startServer } from './helpers/server.js';
import {
  connections,
  installTrackedWebRtc,
  sessionPart,
  ufrag,
  untilConnections,
} from './helpers/webrtc.js';

let server;
before(async () => {
  await installTrackedWebRtc();
  // 50 back-to-back ICE restarts produce bursts of candidates well above the default 50 frames/s
  // per connection; this file tests negotiation, not the server's rate limit.
  server = await startServer(['--rate', '1000']);
});
after(() => server.stop());

/** Tracks which peers' data channels are open for a client. */
function openChannels(client) {
  const open = new Set();
  client.on('channel', ({ id, state }) => (state === 'open' ? open.add(id) : open.delete(id)));
  return open;
}

/** Connects n clients to a fresh room; resolves when every pair's data channel is open. */
async function mesh(room, names) {
  const clients = [];
  const channels = new Map();
  for (const name of names) {
    const client = await connectFast({ url: server.url, room, name });
    channels.set(client, openChannels(client));
    clients.push(client);
  }
  await Promise.all(
    clients.map((c) =>
      until(c, ['channel'], () => channels.get(c).size === names.length - 1, 15_000, `${c.id} mesh`),
    ),
  );
  return clients;
}

function inbox(client) {
  const messages = [];
  client.on('data', (m) => messages.push(m));
  return messages;
}

test('Client_ThreePeerMeshExchangesDataBothWays', async () => {
  const clients = await mesh('mesh3', ['a', 'b', 'c']);
  const received = new Map(clients.map((c) => [c, inbox(c)]));
  const errors = clients.map((c) => record(c, ['error']));

  for (const from of clients) {
    for (const to of clients) {
      if (from === to) continue;
      from.send(to.id, `text ${from.id}->${to.id}`);
      from.send(to.id, new Uint16Array([7, 8, 9]).subarray(1)); // a view into a larger buffer
    }
  }
  await Promise.all(
    clients.map((c) =>
      until(c, ['data'], () => received.get(c).length === 4, 10_000, `${c.id} to receive 4 messages`),
    ),
  );
  for (const to of clients) {
    const got = received.get(to);
    const texts = got.filter((m) => typeof m.data === 'string');
    const binaries = got.filter((m) => m.data instanceof ArrayBuffer);
    const senders = clients.filter((c) => c !== to);
    assert.deepEqual(
      texts.map((m) => [m.id, m.data]).sort(),
      senders.map((s) => [s.id, `text ${s.id}->${to.id}`]).sort(),
    );
    assert.deepEqual(binaries.map((m) => m.id).sort(), senders.map((s) => s.id).sort());
    for (const m of binaries) assert.deepEqual([...new Uint16Array(m.data)], [8, 9]);
  }
  for (const c of clients) {
    assert.deepEqual(
      c.peers.map((p) => p.state),
      ['connected', 'connected'],
    );
  }
  // broadcast reaches both others.
  for (const c of clients) assert.equal(c.broadcast('all'), 2);
  await Promise.all(
    clients.map((c) => until(c, ['data'], () => received.get(c).length === 6, 10_000, 'broadcasts')),
  );
  for (const log of errors) assert.deepEqual(log, []);
  await closeAll(...clients);
});

test('Client_FiftySimultaneousIceRestartsConvergeAndDataKeepsFlowing', async () => {
  const first = connections.length;
  const [a, b] = await mesh('restarts', ['a', 'b']);
  const pcs = connections.slice(first);
  assert.equal(pcs.length, 2, 'one RTCPeerConnection per side');
  const errors = [a, b].map((c) => record(c, ['error']));
  const received = new Map([a, b].map((c) => [c, inbox(c)]));

  const converged = () =>
    pcs.every((pc) => pc.signalingState === 'stable') &&
    sessionPart(pcs[0].appliedLocal) === sessionPart(pcs[1].appliedRemote) &&
    sessionPart(pcs[1].appliedLocal) === sessionPart(pcs[0].appliedRemote);

  for (let round = 1; round <= 50; round++) {
    const before = ufrag(pcs[0].appliedLocal);
    a.restartIce(b.id);
    b.restartIce(a.id);
    await untilConnections(
      pcs,
      () => converged() && ufrag(pcs[0].appliedLocal) !== before,
      10_000,
      `round ${round} to converge with fresh ICE credentials`,
    );
    a.send(b.id, `a${round}`);
    b.send(a.id, `b${round}`);
    await until(b, ['data'], () => received.get(b).some((m) => m.data === `a${round}`), 10_000, `a${round}`);
    await until(a, ['data'], () => received.get(a).some((m) => m.data === `b${round}`), 10_000, `b${round}`);
  }
  await untilConnections(
    pcs,
    () => pcs.every((pc) => pc.connectionState === 'connected'),
    10_000,
    'connected after the last restart',
  );
  for (const log of errors) assert.deepEqual(log, [], 'no negotiation errors');
  await closeAll(a, b);
});

test('Client_LeavingPeerHasItsConnectionClosedOnTheOthers', async () => {
  const first = connections.length;
  const [a, b, c] = await mesh('leave', ['a', 'b', 'c']);
  const pcs = connections.slice(first);
  assert.equal(pcs.length, 6);

  const observed = [a, b].map((x) => ({
    left: once(x, 'peer-left', (p) => p.id === c.id, 5000),
    closed: once(x, 'peer-state', (p) => p.id === c.id && p.state === 'closed', 5000),
    channel: once(x, 'channel', (p) => p.id === c.id && p.state === 'closed', 5000),
  }));
  const channelEvents = [a, b].map((x) => {
    const states = [];
    x.on('channel', (p) => p.id === c.id && states.push(p.state));
    return states;
  });
  await c.close();
  for (const o of observed) {
    assert.deepEqual(await o.left, { id: c.id, reason: 'left' });
    await o.closed;
    // Whichever comes first, the remote's channel close or ours, the app hears it exactly once.
    assert.deepEqual(await o.channel, { id: c.id, state: 'closed' });
  }
  for (const x of [a, b]) {
    assert.deepEqual(x.peers.map((p) => p.id), [x === a ? b.id : a.id]);
    assert.throws(() => x.send(c.id, 'anyone?'), { name: 'RtcSignalingError', code: 'unknown-peer' });
  }
  // c's two connections and the two towards c are closed; a<->b is untouched.
  assert.equal(pcs.filter((pc) => pc.signalingState === 'closed').length, 4);
  const remaining = pcs.filter((pc) => pc.signalingState !== 'closed');
  assert.ok(remaining.every((pc) => pc.connectionState === 'connected'));
  const got = once(b, 'data', (m) => m.id === a.id, 5000);
  a.send(b.id, 'still here');
  assert.equal((await got).data, 'still here');
  assert.deepEqual(channelEvents, [['closed'], ['closed']], 'one channel close per observer');
  await closeAll(a, b);
});
