// A hostile server: every bad frame becomes an `error` event, is dropped, and the session stays
// `open` and keeps working.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { connectFast } from './helpers/clients.js';
import { _wasmMemoryBytes } from '../../dist/index.js';
import { once, record } from './helpers/events.js';
import { SELF_ID, startHostileServer } from './helpers/hostile_server.js';

let server;
let client;
let log;

before(async () => {
  server = await startHostileServer();
});
after(() => server.close());

beforeEach(async () => {
  client = await connectFast({ url: server.url, room: 'hostile', name: 'victim' });
  assert.equal(client.id, SELF_ID);
  // A known, legitimate peer, announced the regular way.
  const joined = once(client, 'peer-joined');
  server.sendReliable({ type: 'peer-joined', peer: { id: 'bob', name: 'bob' } });
  await joined;
  log = record(client, ['state', 'error', 'peer-joined', 'peer-left']);
});

afterEach(async () => {
  log.stop();
  await client.close();
});

/** Sends a frame and returns the next `error` event. */
async function errorFor(send) {
  const error = once(client, 'error', () => true, 3000);
  send();
  return error;
}

/** Proves the session still works: a legitimate message is processed after the bad ones. */
async function assertStillOpen() {
  const carol = once(client, 'peer-joined', (p) => p.id === 'carol', 3000);
  server.sendReliable({ type: 'peer-joined', peer: { id: 'carol', name: 'carol' } });
  await carol;
  assert.equal(client.state, 'open');
  assert.deepEqual(
    log.filter((e) => e.event === 'state'),
    [],
    'no state change',
  );
  assert.ok(log.filter((e) => e.event === 'error').every((e) => e.fatal === false));
  assert.deepEqual(client.peers.map((p) => p.id).sort(), ['bob', 'carol']);
}

test('Client_MalformedJsonIsReportedAsBadMessage', async () => {
  for (const frame of ['{not json', '[]', '"just a string"', '{"type":42}', '']) {
    const error = await errorFor(() => server.sendRaw(frame));
    assert.equal(error.code, 'bad-message', `frame ${JSON.stringify(frame)}`);
    assert.equal(error.fatal, false);
  }
  await assertStillOpen();
});

test('Client_OversizedFrameIsReportedAsMessageTooLarge', async () => {
  const huge = JSON.stringify({ type: 'peer-joined', seq: 99, peer: { id: 'x', name: 'y'.repeat(70 * 1024) } });
  const error = await errorFor(() => server.sendRaw(huge));
  assert.equal(error.code, 'message-too-large');
  assert.equal(error.fatal, false);
  assert.ok(!client.peers.some((p) => p.id === 'x'));
  await assertStillOpen();
});

test('Client_TooDeeplyNestedJsonIsReportedAsBadMessage', async () => {
  const deep = '{"type":"pong","x":' + '['.repeat(40) + ']'.repeat(40) + '}';
  const error = await errorFor(() => server.sendRaw(deep));
  assert.equal(error.code, 'bad-message');
  await assertStillOpen();
});

test('Client_SignalFromUnknownPeerIsReportedAsBadMessage', async () => {
  const error = await errorFor(() =>
    server.sendReliable({ type: 'signal', from: 'mallory', data: { candidate: null } }),
  );
  assert.equal(error.code, 'bad-message');
  await assertStillOpen();
});

test('Client_SignalSpoofedAsSelfIsReportedAsBadMessage', async () => {
  const error = await errorFor(() =>
    server.sendReliable({ type: 'signal', from: SELF_ID, data: { candidate: null } }),
  );
  assert.equal(error.code, 'bad-message');
  await assertStillOpen();
});

test('Client_SignalWithBadSdpIsReportedAsBadMessage', async () => {
  for (const sdp of ['not an sdp', 'v=0\r\n' + 'a'.repeat(40 * 1024), '']) {
    const error = await errorFor(() =>
      server.sendReliable({ type: 'signal', from: 'bob', data: { description: { type: 'offer', sdp } } }),
    );
    assert.equal(error.code, 'bad-message', `sdp of ${sdp.length} bytes`);
  }
  await assertStillOpen();
});

test('Client_BadPeerIdsAndCandidatesAreReportedAsBadMessage', async () => {
  const frames = [
    { type: 'peer-joined', peer: { id: 'has spaces!', name: 'x' } },
    { type: 'peer-joined', peer: { id: 'a'.repeat(65), name: 'x' } },
    { type: 'signal', from: 'bob', data: { candidate: { candidate: 'not-a-candidate', sdpMid: '0' } } },
  ];
  for (const frame of frames) {
    const error = await errorFor(() => server.sendReliable(frame));
    assert.equal(error.code, 'bad-message', JSON.stringify(frame).slice(0, 80));
  }
  await assertStillOpen();
});

test('Client_HugeFrameIsRefusedBeforeItIsCopiedIntoWasmMemory', async () => {
  const before = await _wasmMemoryBytes();
  // 48 MiB: copying it in (and the std::string it becomes) would grow the memory by ~100 MiB,
  // for good, since wasm memory never shrinks.
  const huge = JSON.stringify({ type: 'pong', pad: 'x'.repeat(48 * 1024 * 1024) });
  const error = await errorFor(() => server.sendRaw(huge));
  assert.equal(error.code, 'message-too-large');
  const after = await _wasmMemoryBytes();
  assert.ok(after - before < 1024 * 1024, `wasm memory grew from ${before} to ${after} bytes`);
  await assertStillOpen();
});

test('Client_FrameWithANulByteAndTrailingGarbageIsBadMessage', async () => {
  for (const frame of ['{"type":"peer-joined","seq":50,"peer":{"id":"nul","name":"x"}}\0garbage', '{"type":"pong"} {"type":"pong"}']) {
    const error = await errorFor(() => server.sendRaw(frame));
    assert.equal(error.code, 'bad-message', JSON.stringify(frame));
  }
  assert.ok(!client.peers.some((p) => p.id === 'nul'));
  await assertStillOpen();
});
