import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, joined, OFFER, CANDIDATE } from './server_harness.js';

let server;
before(async () => (server = await startServer()));
after(() => server.close());

async function pair(room) {
  const alice = await joined(server, room, 'alice');
  const bob = await joined(server, room, 'bob');
  await alice.next('peer-joined');
  return { alice, bob };
}

test('Server_SignalIsRelayedOnlyToItsRecipientWithServerStampedFrom', async () => {
  const { alice, bob } = await pair('relay-1');
  const carol = await joined(server, 'relay-1', 'carol');
  await Promise.all([alice.next('peer-joined'), bob.next('peer-joined')]);
  alice.send({ type: 'signal', to: bob.welcome.id, seq: 1, from: carol.welcome.id, data: OFFER });
  const got = await bob.next('signal');
  assert.deepEqual(got, { type: 'signal', seq: 2, from: alice.welcome.id, data: OFFER });
  await carol.expectNothing((m) => m.type === 'signal');
  await Promise.all([alice.close(), bob.close(), carol.close()]);
});

test('Server_SignalToPeerInAnotherRoomIsUnknownPeer', async () => {
  const { alice, bob } = await pair('relay-2');
  const outsider = await joined(server, 'relay-2-other', 'eve');
  alice.send({ type: 'signal', to: outsider.welcome.id, seq: 1, data: CANDIDATE });
  const error = await alice.next('error');
  assert.equal(error.code, 'unknown-peer');
  assert.equal(error.fatal, false);
  await outsider.expectNothing((m) => m.type === 'signal');
  // Consumed all the same, so the client does not resend it forever.
  assert.deepEqual(await alice.next('ack'), { type: 'ack', seq: 1 });
  alice.send({ type: 'signal', to: bob.welcome.id, seq: 2, data: CANDIDATE });
  assert.equal((await bob.next('signal')).from, alice.welcome.id);
  await Promise.all([alice.close(), bob.close(), outsider.close()]);
});

test('Server_ReliableFramesAreNumberedPerRecipientFromOne', async () => {
  const { alice, bob } = await pair('relay-3');
  // alice: #1 peer-joined(bob). bob has received nothing reliable yet.
  for (let seq = 1; seq <= 3; seq++) alice.send({ type: 'signal', to: bob.welcome.id, seq, data: { candidate: null } });
  const seqs = [];
  for (let i = 0; i < 3; i++) seqs.push((await bob.next('signal')).seq);
  assert.deepEqual(seqs, [1, 2, 3]);
  bob.send({ type: 'signal', to: alice.welcome.id, seq: 1, data: OFFER });
  assert.equal((await alice.next('signal')).seq, 2);
  await Promise.all([alice.close(), bob.close()]);
});

test('Server_AcksClientSignalsCumulatively', async () => {
  const { alice, bob } = await pair('relay-4');
  for (let seq = 1; seq <= 5; seq++) alice.send({ type: 'signal', to: bob.welcome.id, seq, data: CANDIDATE });
  let acked = 0;
  while (acked < 5) {
    const ack = await alice.next('ack');
    assert.ok(ack.seq > acked, 'acks only move forward');
    acked = ack.seq;
  }
  assert.equal(acked, 5);
  await Promise.all([alice.close(), bob.close()]);
});

test('Server_DuplicateSignalIsDroppedButAcked', async () => {
  const { alice, bob } = await pair('relay-5');
  alice.send({ type: 'signal', to: bob.welcome.id, seq: 1, data: OFFER });
  await bob.next('signal');
  await alice.next((m) => m.type === 'ack' && m.seq === 1);
  alice.send({ type: 'signal', to: bob.welcome.id, seq: 1, data: OFFER });
  assert.deepEqual(await alice.next('ack'), { type: 'ack', seq: 1 });
  await bob.expectNothing((m) => m.type === 'signal');
  await Promise.all([alice.close(), bob.close()]);
});

test('Server_SignalToYourselfIsBadMessage', async () => {
  const { alice, bob } = await pair('relay-6');
  alice.send({ type: 'signal', to: alice.welcome.id, seq: 1, data: OFFER });
  assert.equal((await alice.next('error')).code, 'bad-message');
  await alice.expectNothing((m) => m.type === 'signal');
  await Promise.all([alice.close(), bob.close()]);
});

test('Server_AckBeyondLastSentSeqIsBadMessage', async () => {
  const { alice, bob } = await pair('relay-7');
  alice.send({ type: 'ack', seq: 99 });
  assert.equal((await alice.next('error')).code, 'bad-message');
  await Promise.all([alice.close(), bob.close()]);
});
