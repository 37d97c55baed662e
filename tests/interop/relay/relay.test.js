// The `relay` dialect through the tutorial broadcast relay (helpers/relay_server.js, its own
// process, restarted per test): SDK clients in Node with real WebRTC (@roamhq/wrtc) find each
// other through presence carried in the relayed frames, call, and exchange data. Any frame the
// relay cannot parse would kill it, so every test ends by checking the process is alive.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { installWebRtc } from '../../node/helpers/globals.js';
import { once, withTimeout } from '../../node/helpers/events.js';
import { exchange, meshed, names, restartIceInBand, trackChannels } from '../helpers/mesh.js';
import { startRelay } from './helpers/relay.js';

const { connect } = await import(new URL('../../../dist/index.js', import.meta.url).href);

// Presence beats every 500 ms, so a silent peer is gone after 3 × 500 ms.
const BEAT_MS = 500;
const FAST = { reconnect: { initialDelayMs: 50, maxDelayMs: 400 }, pingIntervalMs: BEAT_MS };
const T = 20_000;

let relay;
let open = [];
let children = [];

before(installWebRtc);
beforeEach(async () => {
  relay = await startRelay();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  for (const child of children.splice(0)) child.kill('SIGKILL');
  const alive = relay.alive();
  const output = relay.output();
  await relay.stop();
  assert.ok(alive, `the relay died during the test:\n${output}`);
  assert.doesNotMatch(output, /Unknown message type/, 'the SDK sent a type the relay drops');
});

async function join(name, room = 'room-a', options = {}) {
  const client = await connect({ ...FAST, url: relay.url, room, name, dialect: 'relay', ...options });
  open.push(client);
  trackChannels(client);
  client.received = [];
  client.on('data', ({ id, data }) => client.received.push({ from: id, data }));
  return client;
}

test('Relay_ThreeClientsFormAFullMeshAndExchangeDataBothWaysOnEveryPair', async () => {
  const alice = await join('alice');
  const bob = await join('bob');
  const carol = await join('carol');
  await meshed([alice, bob, carol]);
  await exchange([alice, bob, carol]);
  assert.deepEqual(names(alice), { [bob.id]: 'bob', [carol.id]: 'carol' });
  assert.deepEqual(names(bob), { [alice.id]: 'alice', [carol.id]: 'carol' });
  assert.deepEqual(names(carol), { [alice.id]: 'alice', [bob.id]: 'bob' });
  for (const c of [alice, bob, carol]) {
    assert.match(c.id, /^rs-[0-9a-f]{16}$/);
    assert.equal(c.stats.framesDropped, 0, `${c.id} dropped frames`);
  }
});

test('Relay_ConnectedSdkPeersRestartIceOnTheirOwnChannelNotThroughTheRelay', async () => {
  const alice = await join('alice');
  const bob = await join('bob');
  await meshed([alice, bob]);
  await restartIceInBand(alice, bob);
  await restartIceInBand(bob, alice);
});

test('Relay_AClientInAnotherRoomSeesNoneAndIsSeenByNone', async () => {
  const alice = await join('alice');
  const bob = await join('bob');
  const dave = await join('dave', 'room-b');
  await meshed([alice, bob]);
  // A third member of room-a joins after dave: its hello and the replies to it all pass dave.
  const carol = await join('carol');
  await meshed([alice, bob, carol]);
  assert.deepEqual(dave.peers, []);
  for (const c of [alice, bob, carol]) assert.ok(!c.peers.some((p) => p.id === dave.id));
});

test('Relay_CloseIsLeftWithinASecondAndAKilledClientTimesOut', async () => {
  const alice = await join('alice');
  const bob = await join('bob');
  await meshed([alice, bob]);
  const left = once(alice, 'peer-left', ({ id }) => id === bob.id, 1000);
  const started = performance.now();
  await bob.close();
  assert.equal((await left).reason, 'left');
  open = open.filter((c) => c !== bob);

  // A client in its own process, killed: no goodbye, only silence.
  const child = spawn(process.execPath, [
    fileURLToPath(new URL('../helpers/child_client.js', import.meta.url)),
    JSON.stringify({ ...FAST, url: relay.url, room: 'room-a', name: 'zed', dialect: 'relay' }),
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const zedId = await withTimeout(new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /id (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
  }), T, 'the child client to join');
  await once(alice, 'peer-joined', ({ id }) => id === zedId, T).catch(() => {
    if (!alice.peers.some((p) => p.id === zedId)) throw new Error('zed never joined');
  });
  child.kill('SIGKILL');
  const killedAt = performance.now();
  const gone = await once(alice, 'peer-left', ({ id }) => id === zedId, 10 * BEAT_MS);
  const after = performance.now() - killedAt;
  assert.equal(gone.reason, 'timeout');
  // Documented bound: three heartbeats without a frame (+ one heartbeat of slack for timers).
  assert.ok(after <= 4 * BEAT_MS + 500, `peer-left after ${Math.round(after)} ms`);
  assert.ok(started > 0);
});

test('Relay_RestartedMidCall_CallsContinueAndANewcomerConnectsToAll', async () => {
  const alice = await join('alice');
  const bob = await join('bob');
  await meshed([alice, bob]);
  const lefts = [];
  for (const c of [alice, bob]) c.on('peer-left', (p) => lefts.push(p));
  const reconnected = Promise.all(
    [alice, bob].map((c) => once(c, 'state', ({ state }) => state === 'open', T)),
  );
  await relay.restart();
  await reconnected;
  // The data channels never depended on the relay.
  await exchange([alice, bob]);
  const carol = await join('carol');
  await meshed([alice, bob, carol]);
  await exchange([alice, bob, carol]);
  assert.deepEqual(lefts, [], 'nobody left while the relay restarted');
});

test('Relay_AnHttpGetToTheRelayIs426AndItStaysUp', async () => {
  const response = await fetch(relay.url.replace('ws:', 'http:'));
  assert.equal(response.status, 426);
  const alice = await join('alice');
  assert.equal(alice.state, 'open');
});
