// The `signalr` dialect against real ASP.NET Core (demo/signalr-hub, built and started here) and
// against clients nobody here wrote: @microsoft/signalr in Node, simple-peer in Chromium.
import { WebSocket as NodeWebSocket } from 'ws';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HubConnectionBuilder, HttpTransportType, LogLevel } from '@microsoft/signalr';
import { installWebRtc } from '../../node/helpers/globals.js';
import { once, until, withTimeout } from '../../node/helpers/events.js';
import { buildHub, startHub, token } from './helpers/hub.js';

// RTC_SIGNALING_DIST lets a helper test a private build; CI tests dist/ as scripts/build wrote it.
const dist = process.env.RTC_SIGNALING_DIST ?? new URL('../../../dist/index.js', import.meta.url).href;
const { connect, RtcSignalingError } = await import(dist);

const FAST = { reconnect: { initialDelayMs: 50, maxDelayMs: 400 }, connectTimeoutMs: 10_000 };
const T = 20_000;

let hub;
const open = [];

before(async () => {
  await installWebRtc();
  await buildHub();
  hub = await startHub();
}, { timeout: 300_000 });

after(async () => {
  await Promise.all(open.splice(0).map((c) => c.close?.() ?? c.stop?.()));
  await hub?.stop();
});

/** connect() with the signalr dialect; `client.channels` is the set of open data channels. */
async function sdk(options) {
  const client = await connect({ ...FAST, dialect: 'signalr', ...options });
  open.push(client);
  // Channels open only after ICE, well after connect() resolves on the hub's welcome.
  client.channels = channels(client);
  return client;
}

async function roomClient(room, name, extra = {}) {
  return sdk({ url: `${hub.ws}/hubs/room`, room, name, token: await token({ sub: name, name }), ...extra });
}

async function official(room, name) {
  const connection = new HubConnectionBuilder()
    .withUrl(`${hub.http}/hubs/room`, {
      accessTokenFactory: () => token({ sub: name, name }),
      transport: HttpTransportType.WebSockets,
    })
    .configureLogging(LogLevel.None)
    .build();
  const log = [];
  for (const method of ['Welcome', 'PeerJoined', 'PeerLeft', 'Signal']) {
    connection.on(method, (...args) => log.push({ method, args }));
  }
  await connection.start();
  open.push(connection);
  await connection.invoke('Join', room, name);
  return { connection, log };
}

/** Tracks whose data channels are open, from the client's first moment on. */
function channels(client) {
  const openIds = new Set();
  client.on('channel', ({ id, state }) => (state === 'open' ? openIds.add(id) : openIds.delete(id)));
  return openIds;
}

/** Both directions of the negotiated data channel carry a message. */
async function exchangeData(a, aOpen, b, bOpen) {
  await until(a, ['channel'], () => aOpen.has(b.id), T, `${a.id}'s channel to ${b.id}`);
  await until(b, ['channel'], () => bOpen.has(a.id), T, `${b.id}'s channel to ${a.id}`);
  const atB = once(b, 'data', ({ id }) => id === a.id, T);
  const atA = once(a, 'data', ({ id }) => id === b.id, T);
  a.send(b.id, `hello from ${a.id}`);
  b.send(a.id, `hello from ${b.id}`);
  assert.equal((await atB).data, `hello from ${a.id}`);
  assert.equal((await atA).data, `hello from ${b.id}`);
}

test('SignalR_Room_TwoSdkClientsJoinSeeEachOtherAndExchangeData', { timeout: 60_000 }, async () => {
  const alice = await roomClient('room-data', 'alice');
  assert.equal(alice.state, 'open');
  assert.deepEqual(alice.peers, []);
  const aliceSeesBob = once(alice, 'peer-joined', () => true, T);
  const bob = await roomClient('room-data', 'bob');
  const joined = await aliceSeesBob;
  assert.deepEqual(joined, { id: bob.id, name: 'bob' });
  assert.deepEqual(bob.peers.map(({ id, name }) => ({ id, name })), [{ id: alice.id, name: 'alice' }]);
  await exchangeData(alice, alice.channels, bob, bob.channels);

  const left = once(alice, 'peer-left', () => true, T);
  await bob.close();
  assert.deepEqual(await left, { id: bob.id, reason: 'left' });
});

test('SignalR_Room_MissingOrBadTokenRejectsUnauthorized', { timeout: 60_000 }, async () => {
  const url = `${hub.ws}/hubs/room`;
  const cases = [
    ['missing token', {}],
    ['token signed with another secret', { token: await token({ secret: 'not-the-hub-secret-0123456789' }) }],
    ['expired token', { token: await token({ expiresIn: '-1m' }) }],
    ['bad token, negotiation skipped', { token: 'not.a.jwt', signalr: { skipNegotiation: true } }],
  ];
  for (const [what, extra] of cases) {
    await assert.rejects(
      withTimeout(connect({ ...FAST, dialect: 'signalr', url, room: 'auth', name: 'eve', ...extra }), T, what),
      (error) => error instanceof RtcSignalingError && error.code === 'unauthorized' && error.fatal === true,
      what,
    );
  }
});

test('SignalR_Room_JoinRefusedByHubExceptionRejectsForbiddenWithItsMessage', { timeout: 60_000 }, async () => {
  const errors = [];
  const attempt = connect({
    ...FAST,
    dialect: 'signalr',
    url: `${hub.ws}/hubs/room`,
    room: 'not a valid room!',
    name: 'mallory',
    token: await token(),
  });
  await assert.rejects(withTimeout(attempt, T, 'join with a bad room'), (error) => {
    errors.push(error);
    return error instanceof RtcSignalingError && error.code === 'forbidden';
  });
  assert.match(errors[0].message, /Room name must be 1-64 characters: letters, digits, '-' or '_'\./);
});

test('SignalR_Room_OfficialClientReceivesTheSdksInvocations', { timeout: 60_000 }, async () => {
  const observer = await official('official', 'dotnet-js');
  const welcome = observer.log.find((m) => m.method === 'Welcome');
  assert.ok(welcome, 'the official client got its Welcome');
  const observerId = welcome.args[0];

  const alice = await roomClient('official', 'alice');
  assert.deepEqual(alice.peers.map(({ id, name }) => ({ id, name })), [{ id: observerId, name: 'dotnet-js' }]);
  // The newcomer calls everyone in its Welcome: the official client receives Signal(fromId, payloadJson).
  const deadline = Date.now() + T;
  await withTimeout(
    new Promise((resolve) => {
      const check = () => {
        if (observer.log.some((m) => m.method === 'Signal') || Date.now() > deadline) return resolve();
        observer.connection.on('Signal', function handler() {
          observer.connection.off('Signal', handler);
          resolve();
        });
      };
      check();
    }),
    T,
    'a Signal invocation at the official client',
  );
  const joinedMsg = observer.log.find((m) => m.method === 'PeerJoined');
  assert.deepEqual(joinedMsg.args, [{ id: alice.id, name: 'alice' }]);
  const signal = observer.log.find((m) => m.method === 'Signal');
  assert.equal(signal.args[0], alice.id);
  const payload = JSON.parse(signal.args[1]);
  assert.equal(payload.description.type, 'offer');
  assert.match(payload.description.sdp, /^v=0\r?\n/);

  const left = once(alice, 'peer-left', () => true, T);
  await observer.connection.invoke('Leave');
  assert.deepEqual(await left, { id: observerId, reason: 'left' });
});

test('SignalR_Room_HubExceptionSurfacesAsErrorEventWithItsMessage', { timeout: 60_000 }, async () => {
  await roomClient('hubex', 'bob');
  // Renaming Signal to the hub's Join makes every signal a second Join, which the hub refuses
  // with a HubException; the session stays open and reports it.
  const alice = await roomClient('hubex', 'alice', { signalr: { methods: { Signal: 'Join' } } });
  const error = await once(alice, 'error', () => true, T);
  assert.equal(error.code, 'server-error');
  assert.equal(error.fatal, false);
  assert.match(error.message, /Already joined room 'hubex'\./);
  assert.equal(alice.state, 'open');
});
