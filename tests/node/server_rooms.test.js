import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, joined, TestClient, signalUrl } from './server_harness.js';

let server;
before(async () => (server = await startServer({ maxPeers: 3 })));
after(() => server.close());

test('Server_WelcomeAssignsIdAndListsExistingPeers', async () => {
  const alice = await joined(server, 'r-welcome', 'alice');
  assert.equal(alice.welcome.room, 'r-welcome');
  assert.match(alice.welcome.id, /^[A-Za-z0-9._:-]{1,64}$/);
  assert.equal(alice.welcome.resumed, false);
  assert.equal(alice.welcome.ack, 0);
  assert.deepEqual(alice.welcome.peers, []);
  assert.equal(typeof alice.welcome.resume, 'string');

  const bob = await joined(server, 'r-welcome', 'bob');
  assert.notEqual(bob.welcome.id, alice.welcome.id);
  assert.deepEqual(bob.welcome.peers, [{ id: alice.welcome.id, name: 'alice' }]);
  const announced = await alice.next('peer-joined');
  assert.deepEqual(announced, { type: 'peer-joined', seq: 1, peer: { id: bob.welcome.id, name: 'bob' } });
  await Promise.all([alice.close(), bob.close()]);
});

test('Server_RoomsAreIsolated', async () => {
  const a = await joined(server, 'r-iso-1', 'a');
  const b = await joined(server, 'r-iso-2', 'b');
  assert.deepEqual(b.welcome.peers, []);
  await a.expectNothing((m) => m.type === 'peer-joined');
  await Promise.all([a.close(), b.close()]);
});

test('Server_LeaveAnnouncesPeerLeftWithReasonLeftAndCloses', async () => {
  const alice = await joined(server, 'r-leave', 'alice');
  const bob = await joined(server, 'r-leave', 'bob');
  await alice.next('peer-joined');
  bob.send({ type: 'leave' });
  const left = await alice.next('peer-left');
  assert.deepEqual(left, { type: 'peer-left', seq: 2, id: bob.welcome.id, reason: 'left' });
  assert.equal((await bob.waitClose()).code, 1000);
  await alice.close();
});

test('Server_RoomFullSendsFatalErrorAndCloses4409', async () => {
  const members = [];
  for (const name of ['a', 'b', 'c']) members.push(await joined(server, 'r-full', name));
  const late = await TestClient.open(signalUrl(server, { room: 'r-full' }));
  late.send({ type: 'join', room: 'r-full', name: 'd' });
  const error = await late.next('error');
  assert.equal(error.code, 'room-full');
  assert.equal(error.fatal, true);
  assert.equal(error.message, 'room "r-full" is full', 'names are quoted, so a room called "full" reads right');
  assert.equal((await late.waitClose()).code, 4409);
  await members[0].expectNothing((m) => m.type === 'peer-joined' && m.peer.name === 'd');
  await Promise.all(members.map((m) => m.close()));
});

test('Server_PingGetsPongEvenBeforeJoin', async () => {
  const client = await TestClient.open(signalUrl(server));
  client.send({ type: 'ping' });
  assert.deepEqual(await client.next(), { type: 'pong' });
  await client.close();
});

test('Server_SignalBeforeJoinIsRejectedWithNotJoined', async () => {
  const client = await TestClient.open(signalUrl(server));
  client.send({ type: 'signal', to: 'x', seq: 1, data: { candidate: null } });
  const error = await client.next('error');
  assert.equal(error.code, 'not-joined');
  assert.equal(error.fatal, false);
  await client.join('r-late', 'late');
  await client.close();
});

test('Server_UnknownMessageTypesAreIgnored', async () => {
  const client = await joined(server, 'r-unknown', 'x');
  client.send({ type: 'future-feature', x: 1 });
  await client.expectNothing((m) => m.type === 'error');
  await client.close();
});

test('Server_JoinRoomMustMatchTheRoomInTheUrl', async () => {
  const client = await TestClient.open(signalUrl(server, { room: 'r-url' }));
  client.send({ type: 'join', room: 'elsewhere', name: 'x' });
  const error = await client.next('error');
  assert.equal(error.code, 'bad-message');
  await client.join('r-url', 'x');
  await client.close();
});

test('Server_SilentClientIsClosedAfterIdleTimeout', async () => {
  const quick = await startServer({ idleMs: 500, graceMs: 100, rate: 100_000 });
  try {
    const watcher = await joined(quick, 'r-idle', 'watcher');
    const silent = await joined(quick, 'r-idle', 'silent');
    await watcher.next('peer-joined');
    // The watcher stays alive with back-to-back pings (each pong triggers the next).
    let watching = true;
    watcher.ws.on('message', (data) => {
      if (watching && JSON.parse(data.toString()).type === 'pong') watcher.send({ type: 'ping' });
    });
    watcher.send({ type: 'ping' });
    try {
      assert.equal((await silent.waitClose()).code, 4408);
      // The idle socket counts as dropped: grace, then a timeout announcement.
      const left = await watcher.next('peer-left');
      assert.equal(left.reason, 'timeout');
      assert.equal(left.id, silent.welcome.id);
    } finally {
      watching = false;
    }
    await watcher.close();
  } finally {
    await quick.close();
  }
});
