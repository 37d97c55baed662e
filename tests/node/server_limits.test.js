import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, joined, resumeOf, OFFER, TestClient, signalUrl } from './server_harness.js';

let server;
before(async () => (server = await startServer()));
after(() => server.close());

async function pair(room) {
  const alice = await joined(server, room, 'alice');
  const bob = await joined(server, room, 'bob');
  await alice.next('peer-joined');
  return { alice, bob };
}

/** Sends `frame`, expects an error frame with `code`, then proves the socket still relays. */
async function rejectsAndStaysUsable(alice, bob, frame, code, seq) {
  alice.send(frame);
  const error = await alice.next('error');
  assert.equal(error.code, code, `frame ${String(frame).slice(0, 80)}`);
  assert.equal(error.fatal, false);
  alice.send({ type: 'signal', to: bob.welcome.id, seq, data: OFFER });
  assert.equal((await bob.next('signal')).from, alice.welcome.id);
}

const sig = (to, data, extra = {}) => JSON.stringify({ type: 'signal', to, seq: 1000, data, ...extra });
const nested = (depth) => '{"type":"ping","x":' + '['.repeat(depth - 1) + ']'.repeat(depth - 1) + '}';

test('Server_OversizedFrameGetsMessageTooLargeAndConnectionStaysUsable', async () => {
  const { alice, bob } = await pair('lim-1');
  const big = JSON.stringify({ type: 'ping', pad: 'x'.repeat(64 * 1024) });
  await rejectsAndStaysUsable(alice, bob, big, 'message-too-large', 1);
  await Promise.all([alice.close(), bob.close()]);
});

test('Server_MalformedFramesGetBadMessageAndConnectionStaysUsable', async () => {
  const { alice, bob } = await pair('lim-2');
  const to = bob.welcome.id;
  const cases = [
    ['invalid JSON', '{"type":'],
    ['not an object', '[1,2]'],
    ['no type', '{"to":"x"}'],
    ['depth 17', nested(17)],
    ['bad peer id', sig('bad id!', OFFER)],
    ['sdp without v=0', sig(to, { description: { type: 'offer', sdp: 'hello' } })],
    ['sdp over 32 KiB', sig(to, { description: { type: 'offer', sdp: 'v=0\r\n' + 'a'.repeat(32 * 1024) } })],
    ['unknown description type', sig(to, { description: { type: 'bogus', sdp: 'v=0' } })],
    ['candidate without prefix', sig(to, { candidate: { candidate: 'foo', sdpMid: '0' } })],
    ['candidate over 1 KiB', sig(to, { candidate: { candidate: 'candidate:' + 'x'.repeat(1024) } })],
    ['both description and candidate', sig(to, { ...OFFER, candidate: null })],
    ['seq 0', JSON.stringify({ type: 'signal', to, seq: 0, data: OFFER })],
  ];
  let seq = 1;
  for (const [label, frame] of cases) {
    await rejectsAndStaysUsable(alice, bob, frame, 'bad-message', seq++).catch((err) => {
      throw new Error(`${label}: ${err.message}`);
    });
  }
  await Promise.all([alice.close(), bob.close()]);
});

test('Server_DepthSixteenIsAccepted', async () => {
  const { alice, bob } = await pair('lim-3');
  alice.send(nested(16));
  assert.deepEqual(await alice.next(), { type: 'pong' });
  await Promise.all([alice.close(), bob.close()]);
});

test('Server_NameOver64BytesIsRejected', async () => {
  const client = await TestClient.open(signalUrl(server));
  client.send({ type: 'join', room: 'lim-4', name: 'é'.repeat(32) + 'x' }); // 65 bytes
  assert.equal((await client.next('error')).code, 'bad-message');
  const welcome = await client.join('lim-4', 'é'.repeat(32)); // exactly 64 bytes
  assert.equal(welcome.room, 'lim-4');
  await client.close();
});

test('Server_BinaryFrameIsBadMessage', async () => {
  const { alice, bob } = await pair('lim-5');
  alice.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
  assert.equal((await alice.next('error')).code, 'bad-message');
  await Promise.all([alice.close(), bob.close()]);
});

test('Server_RepeatedAbuseClosesWith1008', async () => {
  const { alice, bob } = await pair('lim-6');
  for (let i = 0; i < 20; i++) alice.send('not json');
  assert.equal((await alice.waitClose()).code, 1008);
  // Abuse is a dropped socket like any other: bob hears nothing until grace runs out.
  await bob.expectNothing((m) => m.type === 'peer-left');
  await bob.close();
});

test('Server_FewBadFramesDoNotClose', async () => {
  const { alice, bob } = await pair('lim-7');
  for (let i = 0; i < 19; i++) alice.send('not json');
  for (let i = 0; i < 19; i++) await alice.next('error');
  alice.send({ type: 'ping' });
  await alice.next('pong');
  await Promise.all([alice.close(), bob.close()]);
});

test('Server_WelcomeAdvertisesTheRateItProcessesWithoutQueueing', async (t) => {
  const slow = await startServer({ rate: 20, burst: 10 });
  t.after(() => slow.close());
  const client = await joined(slow, 'rate-0', 'a');
  assert.deepEqual(client.welcome.rate, { framesPerSec: 20, burst: 10 });
  await client.close();
});

test('Server_FramesOverTheRateAreQueuedAndAnsweredInOrder', async (t) => {
  const slow = await startServer({ rate: 20, burst: 10 });
  t.after(() => slow.close());
  const client = await joined(slow, 'rate-1', 'a'); // join takes one token
  for (let i = 0; i < 30; i++) client.send({ type: 'ping' });
  for (let i = 0; i < 30; i++) await client.next('pong', 5000);
  await client.expectNothing((m) => m.type === 'error');
  assert.equal(client.ws.readyState, client.ws.OPEN);
  await client.close();
});

test('Server_RateLimitedSignalsAreRelayedLateNotDroppedAndNothingCloses', async (t) => {
  const slow = await startServer({ rate: 20, burst: 6 });
  t.after(() => slow.close());
  const alice = await joined(slow, 'rate-3', 'alice');
  const bob = await joined(slow, 'rate-3', 'bob');
  await alice.next('peer-joined');
  for (let seq = 1; seq <= 30; seq++) alice.send({ type: 'signal', to: bob.welcome.id, seq, data: OFFER });
  for (let seq = 1; seq <= 30; seq++) {
    const signal = await bob.next('signal', 5000);
    assert.equal(signal.from, alice.welcome.id);
  }
  let acked = 0;
  while (acked < 30) acked = (await alice.next('ack', 5000)).seq;
  assert.equal(acked, 30);
  await alice.expectNothing((m) => m.type === 'error');
  assert.equal(alice.ws.readyState, alice.ws.OPEN);
  await Promise.all([alice.close(), bob.close()]);
});

test('Server_FloodPastTheRateBacklogCapClosesWith1008', async (t) => {
  const slow = await startServer({ rate: 20, burst: 10, backlogBytes: 2048 });
  t.after(() => slow.close());
  const client = await joined(slow, 'rate-2', 'a');
  // ~60 KiB sent at once: more arrives before reading pauses than twice the cap.
  for (let i = 0; i < 4000; i++) client.send({ type: 'ping' });
  assert.equal((await client.waitClose()).code, 1008);
});
