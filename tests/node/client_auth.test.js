// Refusals that end connect(): tokens (401/403 seen through the HTTP probe) and a full room.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeAll, connectFast } from './helpers/clients.js';
import { startServer } from './helpers/server.js';
import { makeToken } from './helpers/tokens.js';
import { _liveDrivers } from '../../dist/index.js';

let secured;
let small;
before(async () => {
  [secured, small] = await Promise.all([
    startServer(['--secret', 'client-test-secret']),
    startServer(['--max-peers', '1']),
  ]);
});
after(() => Promise.all([secured.stop(), small.stop()]));

test('Client_BadTokenRejectsWithUnauthorized', async () => {
  const forged = await makeToken({ secret: 'not-the-server-secret' });
  await assert.rejects(connectFast({ url: secured.url, room: 'r', name: 'x', token: forged }), {
    name: 'RtcSignalingError',
    code: 'unauthorized',
    fatal: true,
  });
});

test('Client_MissingTokenRejectsWithUnauthorized', async () => {
  await assert.rejects(connectFast({ url: secured.url, room: 'r', name: 'x' }), {
    code: 'unauthorized',
  });
});

test('Client_TokenForAnotherRoomRejectsWithForbidden', async () => {
  const token = await makeToken({ rooms: ['other-room'] });
  await assert.rejects(connectFast({ url: secured.url, room: 'r', name: 'x', token }), {
    code: 'forbidden',
    fatal: true,
  });
});

test('Client_ValidStaticTokenJoins', async () => {
  const token = await makeToken({ rooms: ['granted'] });
  const client = await connectFast({ url: secured.url, room: 'granted', name: 'x', token });
  assert.equal(client.state, 'open');
  await client.close();
});

test('Client_AsyncTokenFunctionIsCalledPerConnection', async () => {
  let calls = 0;
  const client = await connectFast({
    url: secured.url,
    room: 'fn',
    name: 'x',
    token: async () => {
      calls++;
      return makeToken({ rooms: ['fn'] });
    },
  });
  assert.equal(client.state, 'open');
  assert.equal(calls, 1);
  await client.close();
});

test('Client_FailingTokenFunctionRejects', async () => {
  await assert.rejects(
    connectFast({
      url: secured.url,
      room: 'fn',
      name: 'x',
      reconnect: false,
      connectTimeoutMs: 2000,
      token: () => {
        throw new Error('no session');
      },
    }),
    (error) => {
      // Without retries the failed attempt ends the session; the provider's failure is the cause.
      assert.equal(error.code, 'reconnect-exhausted');
      assert.equal(error.fatal, true);
      assert.equal(error.cause?.code, 'token-failed');
      assert.match(error.cause.message, /no session/);
      return true;
    },
  );
});

test('Client_FullRoomRejectsWithRoomFull', async () => {
  const first = await connectFast({ url: small.url, room: 'tiny', name: 'first' });
  await assert.rejects(connectFast({ url: small.url, room: 'tiny', name: 'second' }), {
    code: 'room-full',
    fatal: true,
  });
  assert.equal(first.state, 'open');
  assert.deepEqual(first.peers, []);
  await closeAll(first);
});

test('Client_RefusedConnectsLeakNoDrivers', async () => {
  const before = await _liveDrivers();
  for (let i = 0; i < 5; i++) {
    await assert.rejects(connectFast({ url: secured.url, room: 'r', name: 'x' }), { code: 'unauthorized' });
  }
  assert.equal(await _liveDrivers(), before);
});
