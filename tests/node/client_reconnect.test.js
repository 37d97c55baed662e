// Reconnection against the real reference server: kill it, watch the backoff, restart it on the
// same port, and both clients return to `open` with the room intact.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeAll, connectFast } from './helpers/clients.js';
import { once, record, until } from './helpers/events.js';
import { startServer } from './helpers/server.js';

const INITIAL = 100;
const MAX = 800;

/** Upper bound of attempt n's delay: 0 for the first, then full jitter under a doubling cap. */
function bound(attempt) {
  return attempt <= 1 ? 0 : Math.min(MAX, INITIAL * 2 ** (attempt - 1));
}

test('Client_ServerRestartReconnectsWithGrowingDelaysAndRejoins', async (t) => {
  const server = await startServer(['--grace-ms', '20000']);
  const clients = [];
  // Cleanup runs even when an assertion fails: open clients would keep the runner alive.
  t.after(async () => {
    await closeAll(...clients);
    await server.stop();
  });
  const options = { url: server.url, room: 'restart', reconnect: { initialDelayMs: INITIAL, maxDelayMs: MAX } };
  const alice = await connectFast({ ...options, name: 'alice' });
  const bob = await connectFast({ ...options, name: 'bob' });
  clients.push(alice, bob);
  const ids = [alice.id, bob.id];
  await until(alice, ['peer-joined'], () => alice.peers.length === 1, 5000, 'alice to see bob');

  const logs = [alice, bob].map((c) => record(c, ['reconnecting', 'state', 'peer-left']));
  const reachedFourthAttempt = [alice, bob].map((c) =>
    once(c, 'reconnecting', ({ attempt }) => attempt >= 4, 15_000),
  );
  await server.stop();
  await Promise.all(reachedFourthAttempt);
  // Waiting out a delay ('reconnecting') or inside an attempt ('connecting'): the one that hit
  // attempt 4 first may already be in attempt 4 while the other gets there.
  for (const c of [alice, bob]) assert.ok(['reconnecting', 'connecting'].includes(c.state), c.state);

  await server.restart();
  await Promise.all(
    [alice, bob].map((c) => until(c, ['state'], () => c.state === 'open', 10_000, 'state open')),
  );

  for (const log of logs) {
    const attempts = log.filter((e) => e.event === 'reconnecting');
    assert.ok(attempts.length >= 4, `only ${attempts.length} attempts`);
    attempts.forEach((e, i) => {
      assert.equal(e.attempt, i + 1, 'attempts are numbered 1, 2, 3, ...');
      assert.ok(e.delayMs >= 0 && e.delayMs <= bound(e.attempt), `attempt ${e.attempt}: ${e.delayMs} ms`);
    });
    assert.equal(attempts[0].delayMs, 0, 'the first attempt is immediate');
    assert.ok(
      attempts.slice(1).some((e) => e.delayMs > 0),
      'later attempts wait (full jitter makes all-zero practically impossible)',
    );
    const states = log.filter((e) => e.event === 'state').map((e) => e.state);
    assert.equal(states[0], 'reconnecting');
    assert.equal(states.at(-1), 'open');
    assert.ok(!states.includes('closed'));
    // A restarted server has lost its rooms, but whoever resumes first keeps the other in its
    // roster through the return grace (README "Reliability"): nobody is reported as left.
    assert.deepEqual(log.filter((e) => e.event === 'peer-left'), []);
  }
  await until(alice, ['peer-joined'], () => alice.peers.length === 1, 5000, 'alice to see bob again');
  await until(bob, ['peer-joined'], () => bob.peers.length === 1, 5000, 'bob to see alice again');
  // Resume tokens survive the restart (the key is kept on disk), so ids are stable.
  assert.deepEqual([alice.id, bob.id], ids);
  assert.deepEqual(alice.peers.map((p) => p.id), [bob.id]);
  assert.deepEqual(bob.peers.map((p) => p.id), [alice.id]);

  // The rejoined session carries traffic: a newcomer is seen by both.
  const seen = [alice, bob].map((c) => once(c, 'peer-joined', () => true, 5000));
  const carol = await connectFast({ ...options, name: 'carol' });
  clients.push(carol);
  for (const p of await Promise.all(seen)) assert.equal(p.id, carol.id);
});

test('Client_ReconnectExhaustedEndsTheSession', async () => {
  const server = await startServer();
  const client = await connectFast({
    url: server.url,
    room: 'exhaust',
    name: 'x',
    reconnect: { initialDelayMs: 20, maxDelayMs: 40, maxAttempts: 3 },
  });
  const fatal = once(client, 'error', (e) => e.fatal, 10_000);
  await server.stop();
  const error = await fatal;
  assert.equal(error.code, 'reconnect-exhausted');
  await until(client, ['state'], () => client.state === 'closed', 2000, 'state closed');
});

test('Client_ReconnectNowSkipsTheBackoffDelayAndDoesNothingWhenOpen', async (t) => {
  const server = await startServer(['--grace-ms', '20000']);
  // Delays drawn up to 10 minutes: a draw under 10 s (which the wait below skips) is 1 in 60.
  const client = await connectFast({ url: server.url, room: 'now', name: 'ada', reconnect: { initialDelayMs: 600_000, maxDelayMs: 600_000 } });
  t.after(async () => {
    await closeAll(client);
    await server.stop();
  });
  const log = record(client, ['reconnecting', 'state']);
  client.reconnectNow();
  assert.equal(client.state, 'open');
  assert.deepEqual(log, [], 'nothing happens while open');

  await server.stop();
  // Wait for an attempt announced with a long delay (full jitter may draw a short one first).
  const long = await once(client, 'reconnecting', ({ delayMs }) => delayMs >= 10_000, 30_000);
  await server.restart();
  const announced = log.length;
  client.reconnectNow();
  await until(client, ['state'], () => client.state === 'open', 8_000, `open well before the ${long.delayMs} ms delay`);
  const after = log.slice(announced).filter((e) => e.event === 'reconnecting');
  assert.deepEqual(after.map((e) => [e.attempt, e.delayMs]), [[long.attempt, 0]], 'the same attempt, announced again at 0 ms');
});
