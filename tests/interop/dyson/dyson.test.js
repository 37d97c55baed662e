// The `dyson` dialect through a DysonNetwork-style chat server (helpers/dyson_server.js, its own
// process, restarted per test; it behaves as the real one was measured to): SDK clients in Node
// with real WebRTC (@roamhq/wrtc), each logged in as a chat account, find each other through
// presence carried in the relayed packets, call, and exchange data.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { installWebRtc } from '../../node/helpers/globals.js';
import { once, until, withTimeout } from '../../node/helpers/events.js';
import { exchange, meshed, names, trackChannels } from '../helpers/mesh.js';
import { startDyson, CHAT, OTHER_CHAT, ACCOUNTS, SECRET } from './helpers/dyson.js';

const { connect } = await import(new URL('../../../dist/index.js', import.meta.url).href);

// Presence beats every 500 ms, so a silent peer is gone after 3 × 500 ms.
const BEAT_MS = 500;
const FAST = { reconnect: { initialDelayMs: 50, maxDelayMs: 400 }, pingIntervalMs: BEAT_MS };
const T = 20_000;

let server;
let open = [];
let children = [];
let badFramesExpected = 0; // packets a test sends on purpose that make the server close a socket

before(installWebRtc);
beforeEach(async () => {
  server = await startDyson();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  for (const child of children.splice(0)) child.kill('SIGKILL');
  const alive = server.alive();
  const output = server.output();
  await server.stop();
  assert.ok(alive, `the chat server died during the test:\n${output}`);
  const closes = (output.match(/^closing .*: (not JSON|data is not an object)$/gm) ?? []).length;
  assert.equal(closes, badFramesExpected, `sockets closed for bad packets:\n${output}`);
  badFramesExpected = 0;
});

function token(sub, secret = SECRET) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

async function options(account, extra = {}) {
  return { ...FAST, url: server.url, room: CHAT, token: await token(account), dialect: 'dyson', ...extra };
}

async function join(account, extra = {}) {
  const client = await connect(await options(account, extra));
  open.push(client);
  trackChannels(client);
  return client;
}

/** connect() that must fail: the error it rejects with. */
async function refusal(account, extra) {
  return connect(await options(account, extra)).then(
    (c) => {
      open.push(c);
      throw new Error('connected');
    },
    (e) => e,
  );
}

test('Dyson_ThreeAccountsFormAFullMeshWithDataBothWaysAndNamesFromTheAccounts', async () => {
  // alice claims another name; the server's account data wins. bob has no nick: his name shows.
  const alice = await join(ACCOUNTS.alice.id, { name: 'the queen of everything' });
  const bob = await join(ACCOUNTS.bob.id);
  const carol = await join(ACCOUNTS.carol.id);
  await meshed([alice, bob, carol]);
  await exchange([alice, bob, carol]);
  assert.deepEqual(names(bob), { [alice.id]: 'Alice A.', [carol.id]: 'Carol' });
  assert.deepEqual(names(carol), { [alice.id]: 'Alice A.', [bob.id]: 'bob' });
  assert.deepEqual(names(alice), { [bob.id]: 'bob', [carol.id]: 'Carol' });
  for (const [c, account] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol']]) {
    assert.match(c.id, new RegExp(`^${ACCOUNTS[account].id}:[0-9a-f]{8}$`), 'account id : device');
    assert.equal(c.stats.framesDropped, 0, `${c.id} dropped frames`);
  }
});

test('Dyson_RefusalsAreForbiddenUnauthorizedNotFoundAndInvalidConfig', async () => {
  const outsider = await refusal(ACCOUNTS.dave.id);
  assert.equal(outsider.code, 'forbidden');
  assert.match(outsider.message, new RegExp(`not a member of chat room "${CHAT}"`));
  assert.equal((await refusal(ACCOUNTS.alice.id, { token: await token(ACCOUNTS.alice.id, 'wrong-secret') })).code, 'unauthorized');
  assert.equal((await refusal(ACCOUNTS.alice.id, { token: undefined })).code, 'unauthorized');
  const member = await join(ACCOUNTS.alice.id, { room: OTHER_CHAT });
  assert.equal(member.state, 'open', 'a member of the other chat gets in');
  const wrongPath = await refusal(ACCOUNTS.alice.id, { url: server.url.replace('/realtime', '/realtim') });
  assert.equal(wrongPath.code, 'not-found');
  assert.ok(wrongPath.message.includes(CHAT), wrongPath.message);
  const notAChat = await refusal(ACCOUNTS.alice.id, { room: 'general' });
  assert.equal(notAChat.code, 'invalid-config');
  assert.match(notAChat.message, /GUID/);
  for (const e of [outsider, wrongPath, notAChat]) assert.equal(e.fatal, true);
});

test('Dyson_OneAccountInTwoTabsAndASecondAccount_EveryPairConnectsAndNothingLoops', async () => {
  const tab1 = await join(ACCOUNTS.alice.id);
  const tab2 = await join(ACCOUNTS.alice.id);
  const bob = await join(ACCOUNTS.bob.id);
  assert.notEqual(tab1.id, tab2.id);
  assert.equal(tab1.id.split(':')[0], tab2.id.split(':')[0], 'one account');
  await meshed([tab1, tab2, bob]);
  await exchange([tab1, tab2, bob]);
  assert.deepEqual(names(bob), { [tab1.id]: 'Alice A.', [tab2.id]: 'Alice A.' });
  assert.deepEqual(names(tab1), { [tab2.id]: 'Alice A.', [bob.id]: 'bob' });
  // Settled, a client hears each peer's beat and the echo of its own about once per interval. A
  // loop (a presence answered by a presence) would deliver these frames within milliseconds.
  for (const c of [tab1, tab2, bob]) {
    const from = c.stats.framesReceived;
    const started = performance.now();
    await withTimeout(new Promise((resolve) => {
      const poll = setInterval(() => {
        if (c.stats.framesReceived - from >= 12) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    }), T, `${c.id}: 12 more frames`);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 2 * BEAT_MS, `${c.id} got 12 frames in ${Math.round(elapsed)} ms: a presence loop`);
    assert.equal(c.peers.length, 2);
    assert.equal(c.stats.framesDropped, 0);
  }
});

test('Dyson_CloseIsLeftAtOnceAndAnAbruptExitTimesOut', async () => {
  const alice = await join(ACCOUNTS.alice.id);
  const bob = await join(ACCOUNTS.bob.id);
  await meshed([alice, bob]);
  const left = once(alice, 'peer-left', ({ id }) => id === bob.id, 1000);
  await bob.close();
  assert.equal((await left).reason, 'left', 'the server says nothing; bob said goodbye');
  open = open.filter((c) => c !== bob);

  // carol in her own process, killed: no goodbye, and the server announces no leave.
  const child = spawn(process.execPath, [
    fileURLToPath(new URL('../helpers/child_client.js', import.meta.url)),
    JSON.stringify(await options(ACCOUNTS.carol.id)),
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const carolId = await withTimeout(new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /id (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
  }), T, 'the child client to join');
  await until(alice, ['peer-joined'], () => alice.peers.some((p) => p.id === carolId), T, 'carol in the roster');
  child.kill('SIGKILL');
  const killedAt = performance.now();
  const gone = await once(alice, 'peer-left', ({ id }) => id === carolId, 10 * BEAT_MS);
  assert.equal(gone.reason, 'timeout');
  const after = performance.now() - killedAt;
  // Documented bound: three beats without a frame (+ one beat of slack for timers).
  assert.ok(after <= 4 * BEAT_MS + 500, `peer-left after ${Math.round(after)} ms`);
});

test('Dyson_ServerRestartedMidCall_CallsContinueAndTheClientsRejoin', async () => {
  const alice = await join(ACCOUNTS.alice.id);
  const bob = await join(ACCOUNTS.bob.id);
  await meshed([alice, bob]);
  const lefts = [];
  for (const c of [alice, bob]) c.on('peer-left', (p) => lefts.push(p));
  const rejoined = Promise.all(
    [alice, bob].map((c) => once(c, 'state', ({ state }) => state === 'open', T)),
  );
  await server.restart();
  await rejoined;
  await exchange([alice, bob]);
  const carol = await join(ACCOUNTS.carol.id);
  await meshed([alice, bob, carol]);
  await exchange([alice, bob, carol]);
  assert.deepEqual(lefts, [], 'nobody left while the server restarted');
});

test('Dyson_TheServersQuirksAsMeasured_AndTheSdkShrugsOffForeignPackets', async () => {
  const alice = await join(ACCOUNTS.alice.id);
  const errors = [];
  alice.on('error', (e) => errors.push(e.code));
  const raw = new WebSocket(`${server.url}/${CHAT}?tk=${await token(ACCOUNTS.bob.id)}`);
  const packets = [];
  raw.on('message', (m) => packets.push(JSON.parse(m.toString())));
  await new Promise((resolve, reject) => raw.once('open', resolve).once('error', reject));
  const next = (check) => withTimeout(new Promise((resolve) => {
    const poll = setInterval(() => {
      const p = packets.find(check);
      if (p) {
        clearInterval(poll);
        resolve(p);
      }
    }, 10);
  }), T, 'a packet');
  const welcome = await next((p) => p.type === 'webrtc');
  assert.equal(welcome.data.user_id, ACCOUNTS.bob.id);
  assert.deepEqual(welcome.data.participants.map((p) => p.account_id), [ACCOUNTS.alice.id], 'never yourself');
  await next((p) => p.type === 'user-joined' && p.data.user_id === ACCOUNTS.bob.id); // echoed to the joiner
  // alice's SDK beats; bob's raw socket hears it stamped with her account.
  const beat = await next((p) => p.type === 'webrtc.signal' && p.data.account_id === ACCOUNTS.alice.id);
  assert.equal(beat.data.account.nick, 'Alice A.');
  // Another client's packets (a flat one the server relays with data null, a foreign shape) and a
  // broadcast that comes back to its sender: alice ignores the first two, bob sees his echo.
  raw.send(JSON.stringify({ Type: 'webrtc.signal', Data: { type: 'offer', sdp: 'v=0' } }));
  const echo = await next((p) => p.type === 'webrtc.signal' && p.data.account_id === ACCOUNTS.bob.id);
  assert.equal(echo.data.data, null, 'a flat packet is relayed with data null');
  raw.send(JSON.stringify({ type: 'webrtc.signal', data: { type: 'chat', data: { text: 'hi' }, to: null } }));
  // A packet that is not JSON closes the socket abruptly; nothing is announced to alice.
  const closed = new Promise((resolve) => raw.once('close', resolve));
  badFramesExpected = 1;
  raw.send('not json');
  assert.equal(await withTimeout(closed, T, 'the close'), 1006);
  assert.equal(alice.state, 'open');
  assert.deepEqual(errors, []);
  assert.deepEqual(alice.peers, [], 'a raw socket that never spoke our presence is no peer');
  assert.ok(alice.stats.framesDropped === 0);
});
