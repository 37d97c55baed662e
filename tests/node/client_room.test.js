// connect(), the room roster and the client object against the real reference server.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, RtcSignalingError, _liveDrivers } from '../../dist/index.js';
import { closeAll, connectFast } from './helpers/clients.js';
import { once } from './helpers/events.js';
import { startServer } from './helpers/server.js';

let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

test('Client_TwoClientsSeeEachOtherJoinAndLeave', async () => {
  const alice = await connectFast({ url: server.url, room: 'join-leave', name: 'alice' });
  assert.equal(alice.state, 'open');
  assert.match(alice.id, /^[A-Za-z0-9._:-]{1,64}$/);
  assert.deepEqual(alice.peers, []);

  const aliceSeesBob = once(alice, 'peer-joined');
  const bob = await connectFast({ url: server.url, room: 'join-leave', name: 'bob' });
  const joined = await aliceSeesBob;
  assert.deepEqual(joined, { id: bob.id, name: 'bob' });
  assert.notEqual(bob.id, alice.id);
  assert.deepEqual(
    bob.peers.map(({ id, name }) => ({ id, name })),
    [{ id: alice.id, name: 'alice' }],
  );
  assert.deepEqual(
    alice.peers.map(({ id, name }) => ({ id, name })),
    [{ id: bob.id, name: 'bob' }],
  );

  const aliceSeesBobLeave = once(alice, 'peer-left');
  await bob.close();
  assert.deepEqual(await aliceSeesBobLeave, { id: bob.id, reason: 'left' });
  assert.equal(bob.state, 'closed');
  assert.deepEqual(alice.peers, []);
  await alice.close();
});

test('Client_RoomsAreIsolated', async () => {
  const a = await connectFast({ url: server.url, room: 'iso-a', name: 'a' });
  const b = await connectFast({ url: server.url, room: 'iso-b', name: 'b' });
  // A third client in a's room proves a would have seen b had it been in the same room.
  const aSeesC = once(a, 'peer-joined');
  const c = await connectFast({ url: server.url, room: 'iso-a', name: 'c' });
  assert.equal((await aSeesC).id, c.id);
  assert.deepEqual(a.peers.map((p) => p.id), [c.id]);
  assert.deepEqual(b.peers, []);
  await closeAll(a, b, c);
});

test('Client_StateEventsReportTheSessionLifecycle', async () => {
  const states = [];
  const client = await connect({
    url: server.url,
    room: 'states',
    name: 'x',
  });
  client.on('state', ({ state }) => states.push(state));
  await client.close();
  assert.deepEqual(states, ['closed']);
  assert.equal(client.state, 'closed');
  assert.throws(() => client.broadcast('x'), { code: 'closed' });
});

test('Client_ConnectRejectsUnsupportedDialect', async () => {
  for (const dialect of ['peerjs', 'bogus']) {
    await assert.rejects(connect({ url: server.url, room: 'r', dialect }), (error) => {
      assert.ok(error instanceof RtcSignalingError);
      assert.ok(error instanceof Error);
      assert.equal(error.code, 'unsupported-dialect');
      assert.equal(error.fatal, true);
      return true;
    });
  }
});

test('Client_ConnectRejectsInvalidOptions', async () => {
  const cases = [
    undefined,
    { room: 'r' },
    { url: 'http://x/signal', room: 'r' },
    { url: server.url, room: '' },
    { url: server.url, room: 'r', reconnect: { initialDelayMs: -1 } },
    { url: server.url, room: 'r', token: 42 },
  ];
  for (const options of cases) {
    await assert.rejects(connect(options), { code: 'invalid-config' }, JSON.stringify(options));
  }
});

test('Client_ThrowingListenerDoesNotBreakTheClient', async () => {
  const alice = await connectFast({ url: server.url, room: 'throwing', name: 'alice' });
  const reported = [];
  const originalError = console.error;
  console.error = (...args) => reported.push(args);
  try {
    alice.on('peer-joined', () => {
      throw new Error('listener bug');
    });
    const seen = once(alice, 'peer-joined');
    const bob = await connectFast({ url: server.url, room: 'throwing', name: 'bob' });
    assert.equal((await seen).id, bob.id);
    // Still processing events after the throw.
    const left = once(alice, 'peer-left');
    await bob.close();
    assert.equal((await left).id, bob.id);
    assert.equal(alice.state, 'open');
  } finally {
    console.error = originalError;
  }
  assert.ok(reported.some((args) => args.some((a) => a instanceof Error && a.message === 'listener bug')));
  await alice.close();
});

test('Client_UnsubscribeStopsDelivery', async () => {
  const alice = await connectFast({ url: server.url, room: 'unsub', name: 'alice' });
  let calls = 0;
  const off = alice.on('peer-joined', () => calls++);
  const first = once(alice, 'peer-joined');
  const bob = await connectFast({ url: server.url, room: 'unsub', name: 'bob' });
  await first;
  off();
  const second = once(alice, 'peer-joined');
  const carol = await connectFast({ url: server.url, room: 'unsub', name: 'carol' });
  await second;
  assert.equal(calls, 1);
  assert.throws(() => alice.on('no-such-event', () => {}), { code: 'invalid-event' });
  await closeAll(alice, bob, carol);
});

test('Client_CloseFreesEveryDriverAcrossCycles', async () => {
  const before = await _liveDrivers();
  for (let i = 0; i < 10; i++) {
    const client = await connectFast({ url: server.url, room: 'cycles', name: `n${i}` });
    assert.equal(await _liveDrivers(), before + 1);
    await client.close();
    assert.equal(await _liveDrivers(), before);
  }
  // A session that ends by itself (rejected connect) is freed too.
  await assert.rejects(
    connectFast({ url: server.url.replace('/signal', '/nope'), room: 'r', reconnect: false }),
    { code: 'reconnect-exhausted', fatal: true },
  );
  assert.equal(await _liveDrivers(), before);
});
