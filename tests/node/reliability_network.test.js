// Network awareness of the real wasm build: `offline` suspends reconnection (no attempt, no
// `reconnecting` event), `online` retries at once. The driver listens on the global object, as in
// a browser; each client here gets its own EventTarget so one can be offline while the other is not.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeAll, connectFast } from './helpers/clients.js';
import { once, record } from './helpers/events.js';
import { startServer } from './helpers/server.js';
import { waitFor } from './proxy/scenario.js';

let server;
before(async () => {
  server = await startServer(['--resume-secret', 'network-test-secret']);
});
after(() => server.stop());

// The driver registers its listeners on the global object at connect and removes them at close;
// registrations go to the target of the client being connected.
const targets = [];
let current = null;
globalThis.addEventListener = (type, listener) => current?.addEventListener(type, listener);
globalThis.removeEventListener = (type, listener) =>
  targets.forEach((target) => target.removeEventListener(type, listener));

/** Connects with `network` standing in for window's online/offline events. */
async function connectOn(network, options) {
  targets.push(network);
  current = network;
  try {
    return await connectFast(options);
  } finally {
    current = null;
  }
}

test('Reliability_OfflineSuspendsReconnectingAndOnlineRetriesAtOnce', { timeout: 60_000 }, async (t) => {
  const options = { url: server.url, room: 'network' };
  const netA = new EventTarget();
  const netB = new EventTarget();
  const a = await connectOn(netA, { ...options, name: 'a' });
  const b = await connectOn(netB, { ...options, name: 'b' });
  t.after(() => closeAll(a, b));
  const id = a.id;
  const logA = record(a, ['reconnecting', 'state']);
  const logB = record(b, ['reconnecting']);

  netA.dispatchEvent(new Event('offline'));
  assert.equal(a.state, 'open', 'an open socket is kept until it actually fails');
  const aLost = once(a, 'state', ({ state }) => state === 'reconnecting', 10_000);
  const bThirdAttempt = once(b, 'reconnecting', ({ attempt }) => attempt >= 3, 15_000);
  await server.stop();
  await aLost;
  await bThirdAttempt;
  // b (online) tried three times, the first at 0 ms; a (offline) tried nothing and said nothing.
  assert.deepEqual(logA.filter((e) => e.event === 'reconnecting'), []);
  assert.equal(a.state, 'reconnecting');

  await server.restart();
  await waitFor(() => b.state === 'open', 10_000, 'b back');
  assert.deepEqual(logA.filter((e) => e.event === 'reconnecting'), [], 'still suspended');
  assert.equal(a.state, 'reconnecting');

  const retried = once(a, 'reconnecting', () => true, 5000);
  netA.dispatchEvent(new Event('online'));
  assert.deepEqual(await retried, { attempt: 1, delayMs: 0 });
  await waitFor(() => a.state === 'open', 10_000, 'a back after online');
  assert.equal(a.id, id, 'a resumed under its id');
  await waitFor(() => a.peers.length === 1 && b.peers.length === 1, 10_000, 'a and b see each other');
  assert.ok(logB.length >= 3);
});
