// The `signalr` dialect against real ASP.NET Core (demo/signalr-hub, built and started here) and
// against clients nobody here wrote: @microsoft/signalr in Node, simple-peer in Chromium.
import { WebSocket as NodeWebSocket } from 'ws';
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { HubConnectionBuilder, HttpTransportType, LogLevel } from '@microsoft/signalr';
import { installWebRtc } from '../../node/helpers/globals.js';
import { once, until, withTimeout } from '../../node/helpers/events.js';
import { buildHub, startHub, token } from './helpers/hub.js';
import { restartIceInBand } from '../helpers/mesh.js';

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

// Every test starts from an empty hub: leftover clients would keep negotiating and skew timing.
const closeOpen = () => Promise.all(open.splice(0).map((c) => (c.stop ? c.stop() : c.close())));
afterEach(closeOpen);
after(async () => {
  await closeOpen();
  await hub?.stop();
});

/** connect() with the signalr dialect; `client.channels` is the set of open data channels. */
async function sdk(options) {
  const client = await connect({ ...FAST, dialect: 'signalr', ...options });
  open.push(client);
  // Channels open only after ICE, well after connect() resolves on the hub's welcome.
  client.channels = channels(client);
  if (process.env.SR_DEBUG) for (const e of ['error', 'peer-state', 'channel', 'peer-joined', 'peer-left']) client.on(e, (p) => console.log('DBG', options.name, e, JSON.stringify(p)));
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
      WebSocket: NodeWebSocket,
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

/**
 * Both directions of the negotiated data channel carry a message. aId/bId: how each one is known
 * to the other (its own `id`, except where the hub never tells a client its id).
 */
async function exchangeData(a, b, aId = a.id, bId = b.id) {
  await until(a, ['channel'], () => a.channels.has(bId), T, `a's channel to ${bId}`);
  await until(b, ['channel'], () => b.channels.has(aId), T, `b's channel to ${aId}`);
  const atB = once(b, 'data', ({ id }) => id === aId, T);
  const atA = once(a, 'data', ({ id }) => id === bId, T);
  a.send(bId, `hello from ${aId}`);
  b.send(aId, `hello from ${bId}`);
  assert.equal((await atB).data, `hello from ${aId}`);
  assert.equal((await atA).data, `hello from ${bId}`);
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
  await exchangeData(alice, bob);

  const left = once(alice, 'peer-left', () => true, T);
  await bob.close();
  assert.deepEqual(await left, { id: bob.id, reason: 'left' });
});

test('SignalR_Room_ConnectedSdkClientsRestartIceOnTheirOwnChannelNotThroughTheHub', { timeout: 60_000 }, async () => {
  const alice = await roomClient('room-in-band', 'alice');
  const bob = await roomClient('room-in-band', 'bob');
  await exchangeData(alice, bob);
  await restartIceInBand(alice, bob);
  await restartIceInBand(bob, alice);
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
  // Renaming Signal to the hub's Join makes every signal a Join(toId, payloadJson), which the
  // hub's input checks refuse with a HubException; the session stays open and reports it.
  const alice = await roomClient('hubex', 'alice', { signalr: { methods: { Signal: 'Join' } } });
  const error = await once(alice, 'error', () => true, T);
  assert.equal(error.code, 'server-error');
  assert.equal(error.fatal, false);
  assert.match(error.message, /HubException: Name must be a string of at most 64 characters\./);
  assert.equal(alice.state, 'open');
});

/**
 * A `ws` WebSocket that cuts its own TCP connection (no close frame, like a dropped network)
 * right after sending the first frame `armed` matches. Records every socket's URL.
 */
class CuttableWebSocket extends NodeWebSocket {
  static armed = null;
  static urls = [];
  static onCut = () => {};
  constructor(url, ...rest) {
    super(url, ...rest);
    CuttableWebSocket.urls.push(String(url));
  }
  send(data, ...rest) {
    super.send(data, ...rest);
    const armed = CuttableWebSocket.armed;
    if (armed && armed(String(data))) {
      CuttableWebSocket.armed = null;
      this.terminate();
      CuttableWebSocket.onCut();
    }
  }
}

test('SignalR_Room_StatefulReconnectAfterSocketCutLosesNoInvocationAndAppliesNoneTwice', { timeout: 90_000 }, async (t) => {
  const observer = await official('resume', 'observer');
  const observerId = observer.log.find((m) => m.method === 'Welcome').args[0];
  let carol;
  const carolJoined = new Promise((resolve, reject) => {
    // While alice has no socket: the hub must buffer PeerJoined(carol) and replay it.
    CuttableWebSocket.onCut = () => official('resume', 'carol').then((c) => resolve((carol = c)), reject);
  });
  // Cut right after alice's first Signal (her offer to the observer) leaves: it may or may not
  // have reached the hub, and must arrive exactly once either way.
  CuttableWebSocket.armed = (text) => text.includes('"target":"Signal"');
  CuttableWebSocket.urls = [];
  globalThis.WebSocket = CuttableWebSocket;
  t.after(() => (globalThis.WebSocket = NodeWebSocket));
  const alice = await roomClient('resume', 'alice');
  const aliceId = alice.id;
  const joins = [];
  alice.on('peer-joined', (p) => joins.push(p));
  const lefts = [];
  alice.on('peer-left', (p) => lefts.push(p));

  await withTimeout(carolJoined, T, 'carol joins during the cut');
  const carolId = carol.log.find((m) => m.method === 'Welcome').args[0];
  await until(alice, ['peer-joined'], () => joins.some((p) => p.id === carolId), T, 'alice sees carol');
  await until(alice, ['state'], () => alice.state === 'open', T, 'alice open again');

  // The second socket resumed the same hub connection: same connection token, same id.
  assert.equal(CuttableWebSocket.armed, null, 'the socket was cut');
  assert.ok(CuttableWebSocket.urls.length >= 2, 'alice opened a second socket');
  const token0 = new URL(CuttableWebSocket.urls[0]).searchParams.get('id');
  assert.ok(token0);
  assert.equal(new URL(CuttableWebSocket.urls[1]).searchParams.get('id'), token0);
  assert.equal(alice.id, aliceId);

  // The offer reaches the observer once; nothing from alice is duplicated.
  const signals = () => observer.log.filter((m) => m.method === 'Signal' && m.args[0] === aliceId);
  await withTimeout(
    new Promise((resolve) => {
      const check = () => signals().some((m) => JSON.parse(m.args[1]).description?.type === 'offer');
      if (check()) return resolve();
      const handler = () => check() && (observer.connection.off('Signal', handler), resolve());
      observer.connection.on('Signal', handler);
    }),
    T,
    'the offer at the observer',
  );
  // A marker signal after the resume: once it arrived, everything sent before it has too.
  const markerSeen = new Promise((resolve) => {
    const handler = (from) => from === carolId && resolve();
    observer.connection.on('PeerLeft', handler);
  });
  await carol.connection.invoke('Leave');
  await until(alice, ['peer-left'], () => lefts.some((p) => p.id === carolId), T, 'alice sees carol leave');
  await withTimeout(markerSeen, T, 'observer sees carol leave');

  const offers = signals().filter((m) => JSON.parse(m.args[1]).description?.type === 'offer');
  assert.equal(offers.length, 1, 'exactly one offer');
  const payloads = signals().map((m) => m.args[1]);
  assert.equal(new Set(payloads).size, payloads.length, 'no signal applied twice');
  assert.equal(joins.filter((p) => p.id === carolId).length, 1, 'carol joined once at alice');
  assert.equal(lefts.filter((p) => p.id === carolId).length, 1, 'carol left once at alice');
  assert.equal(observer.log.filter((m) => m.method === 'PeerJoined' && m.args[0].id === aliceId).length, 1);
  assert.ok(!observer.log.some((m) => m.method === 'PeerLeft' && m.args[0] === aliceId), 'alice never left');
  assert.ok(!lefts.some((p) => p.id === observerId), 'the observer never left at alice');
});

test('SignalR_Room_InvokeResolvesWithTheHubsResultAndRejectsWithItsError', { timeout: 60_000 }, async () => {
  const a = await roomClient('invoke-room', 'a');
  const b = await roomClient('invoke-room', 'b');
  const members = await a.invoke('Members');
  assert.deepEqual(
    members.map((m) => [m.id, m.name]).sort(),
    [[a.id, 'a'], [b.id, 'b']].sort(),
  );
  const errors = [];
  a.on('error', (e) => errors.push(e));
  await assert.rejects(a.invoke('Signal', 'nobody', '{}'), (e) => e instanceof RtcSignalingError && e.code === 'hub-error' && /No peer 'nobody'/.test(e.message));
  await assert.rejects(a.invoke('NoSuchMethod', 1), (e) => e.code === 'hub-error' && /NoSuchMethod/.test(e.message));
  await assert.rejects(a.invoke('Members', 1n), (e) => e.code === 'invalid-data');
  assert.deepEqual(errors, [], 'an invocation error is the caller\'s, not an error event');
  const pending = b.invoke('Members');
  await b.close();
  await assert.rejects(pending, (e) => e.code === 'closed');
});

test('SignalR_Room_NegotiateRedirectHandsTheClientTheHubUrlAndItsAccessToken', { timeout: 60_000 }, async () => {
  // The app's own session token is not a hub token: straight to the hub it is refused.
  await assert.rejects(
    withTimeout(connect({ ...FAST, dialect: 'signalr', url: `${hub.ws}/hubs/room`, room: 'redirected', token: 'session:alice' }), T, 'direct'),
    (error) => error instanceof RtcSignalingError && error.code === 'unauthorized',
  );
  // Through the app's negotiate: {url: /hubs/room, accessToken: a hub token minted for alice}.
  const alice = await sdk({ url: `${hub.ws}/app`, room: 'redirected', name: 'alice', token: 'session:alice' });
  const bob = await sdk({ url: `${hub.ws}/app`, room: 'redirected', name: 'bob', token: () => 'session:bob' });
  await until(alice, ['peer-joined'], () => alice.peers.some((p) => p.id === bob.id), T, 'alice sees bob');
  await exchangeData(alice, bob);
});

test('SignalR_Room_HubCloseWithAllowReconnectOnTokenExpiryReconnectsWithAFreshToken', { timeout: 60_000 }, async () => {
  const room = 'expiring';
  let issued = 0;
  // The first token lives 2 s: the hub (CloseOnAuthenticationExpiration) then closes the
  // connection with a Close that allows reconnecting; every later token lives an hour.
  const expiring = (name) => () => token({ sub: name, name, expiresIn: issued++ === 0 ? '2s' : '1h' });
  const a = await sdk({ url: `${hub.ws}/hubs/room`, room, name: 'a', token: expiring('a') });
  const b = await roomClient(room, 'b');
  await exchangeData(a, b);
  const errors = [];
  a.on('error', (e) => errors.push(e));
  const firstId = a.id;
  await once(a, 'reconnecting', () => true, T);
  await until(a, ['state'], () => a.state === 'open', T, 'a rejoined');
  assert.ok(issued >= 2, 'a fresh token was asked for');
  const closed = errors.find((e) => e.code === 'server-error' && /the hub closed the connection/.test(e.message));
  assert.ok(closed, `the Close was reported: ${JSON.stringify(errors)}`);
  assert.equal(closed.fatal, false);
  // A fresh negotiate (a Close ends the logical connection): a new id, and the call to b again.
  assert.notEqual(a.id, firstId);
  await until(b, ['peer-joined'], () => b.peers.some((p) => p.id === a.id), T, 'b sees a again');
  await exchangeData(a, b);
});

test('SignalR_Room_HubCloseWithoutAllowReconnectEndsTheSessionWithServerClosed', { timeout: 60_000 }, async () => {
  // A hub that allows one connection per user refuses the second in OnConnectedAsync: SignalR
  // answers with a Close that does not allow reconnecting.
  const strict = await startHub(60_000, { RTC_SIGNALR_MAX_CONNECTIONS_PER_USER: '1' });
  try {
    const options = { url: `${strict.ws}/hubs/room`, room: 'one-each', token: () => token({ sub: 'same', name: 'same' }) };
    const first = await sdk({ ...options, name: 'first' });
    const attempts = [];
    await assert.rejects(
      withTimeout(connect({ ...FAST, dialect: 'signalr', ...options, name: 'second', on: { reconnecting: (r) => attempts.push(r) } }), T, 'second'),
      (error) =>
        error instanceof RtcSignalingError &&
        error.code === 'server-closed' &&
        error.fatal &&
        /already holds 1 connections/.test(error.message),
    );
    assert.deepEqual(attempts, [], 'no reconnect after a Close without allowReconnect');
    assert.equal(first.state, 'open', 'the first connection is untouched');
  } finally {
    await closeOpen();
    await strict.stop();
  }
});

test('SignalR_Signalrtc_TwoSdkClientsCallByHelloAndExchangeData', { timeout: 60_000 }, async () => {
  const url = `${hub.ws}/hubs/signalrtc`;
  const alice = await sdk({ url, room: 'any', name: 'alice', signalr: { contract: 'signalrtc' } });
  const aliceSeesBob = once(alice, 'peer-joined', () => true, T);
  const bob = await sdk({ url, room: 'any', name: 'bob', signalr: { contract: 'signalrtc' } });
  // Alice's hello may reach bob before connect() resolves: read his roster, not the event.
  await until(bob, ['peer-joined'], () => bob.peers.length === 1, T, 'bob hears hello');
  const atBob = bob.peers[0];
  const atAlice = await aliceSeesBob;

  assert.equal(atAlice.name, 'bob');
  assert.equal(atBob.name, 'alice');
  assert.deepEqual(alice.peers.map((p) => p.id), [atAlice.id]);
  // Ids are hub connection ids; each client takes its own from negotiate's connectionId.
  assert.equal(atBob.id, alice.id, "bob knows alice by the id she has");
  assert.equal(atAlice.id, bob.id, "alice knows bob by the id he has");
  await exchangeData(alice, bob, atBob.id, atAlice.id);
  const left = once(alice, 'peer-left', () => true, T);
  await bob.close();
  assert.deepEqual(await left, { id: atAlice.id, reason: 'left' });
});

test('SignalR_Signalrtc_SkipNegotiationClientsJoiningTogetherStillConnect', { timeout: 60_000 }, async () => {
  // Without negotiate nobody knows its own id and roles follow who calls; two users who join at
  // once may each hear the other's NewUserArrived and UserSaidHello: the smaller name calls.
  const url = `${hub.ws}/hubs/signalrtc`;
  const options = { url, room: 'any', signalr: { contract: 'signalrtc', skipNegotiation: true } };
  for (let round = 0; round < 3; round++) {
    const [ann, ben] = await Promise.all([sdk({ ...options, name: `ann-${round}` }), sdk({ ...options, name: `ben-${round}` })]);
    for (const c of [ann, ben]) await until(c, ['peer-joined'], () => c.peers.length === 1, T, `${c.id} hears the other`);
    await exchangeData(ann, ben, ben.peers[0].id, ann.peers[0].id);
    await Promise.all([ann.close(), ben.close()]);
    open.splice(0);
  }
});

/** The article's own client (the official @microsoft/signalr client) in the room: it joins and then
 * vanishes without LeaveRoom, as a closed tab does; the hub keeps it in the room's list forever. */
async function ekobitGhost(room) {
  const connection = new HubConnectionBuilder()
    .withUrl(`${hub.http}/hubs/ekobit`, { transport: HttpTransportType.WebSockets, WebSocket: NodeWebSocket })
    .configureLogging(LogLevel.None)
    .build();
  const told = [];
  for (const method of ['created', 'joined']) connection.on(method, () => told.push(method));
  connection.on('log', () => {});
  await connection.start();
  await connection.invoke('CreateOrJoinRoom', room);
  await connection.stop();
  return told;
}

test('SignalR_Ekobit_TwoMembersCallEachOtherAndTheNextMemberReplacesOneWhoLeft', { timeout: 60_000 }, async () => {
  const url = `${hub.ws}/hubs/ekobit`;
  const options = { url, room: 'ekobit-room', signalr: { contract: 'ekobit' } };
  const first = await sdk({ ...options, name: 'first' });
  assert.equal(first.id, 'initiator', 'created(): alone in the room');
  const firstSeesSecond = once(first, 'peer-joined', () => true, T);
  const second = await sdk({ ...options, name: 'second' });
  assert.equal(second.id, 'joiner', 'joined() is its welcome, not a newcomer to call');
  assert.deepEqual(await firstSeesSecond, { id: 'joiner', name: '' });
  await exchangeData(first, second, 'initiator', 'joiner');
  assert.deepEqual(second.peers.map((p) => p.id), ['initiator'], "the caller's offer put it in the roster");

  const left = once(first, 'peer-left', () => true, T);
  await second.close();
  assert.deepEqual(await left, { id: 'joiner', reason: 'left' });
  // A third member (by the contract's old name): the hub says joined() to both; the one in the
  // room calls.
  const third = await sdk({ ...options, name: 'third', signalr: { contract: 'codelab' } });
  assert.equal(third.id, 'joiner');
  await exchangeData(first, third, 'initiator', 'joiner');
  for (const c of [first, third]) assert.equal(c.stats.framesDropped, 0);
});

test('SignalR_Ekobit_AMemberTheHubNeverForgotDoesNotBlockTheNextCall', { timeout: 60_000 }, async () => {
  const room = 'ekobit-ghosts';
  const options = { url: `${hub.ws}/hubs/ekobit`, room, signalr: { contract: 'ekobit' } };
  assert.deepEqual(await ekobitGhost(room), ['created']);
  // The ghost is still in the hub's list: the next member is told joined() into an empty room.
  const alone = await sdk({ ...options, name: 'alone' });
  assert.equal(alone.id, 'joiner');
  assert.deepEqual(alone.peers, [], 'a joined() nobody answers is nobody there');
  const next = await sdk({ ...options, name: 'next' });
  assert.equal(next.id, 'joiner');
  // alone, in the room, calls next. The hub names nobody: each labels the other side with the
  // role opposite to its own, so here both are `joiner` and see an `initiator`.
  await exchangeData(alone, next, 'initiator', 'initiator');
  assert.deepEqual(alone.peers.map((p) => p.id), ['initiator']);
  assert.deepEqual(next.peers.map((p) => p.id), ['initiator']);
});

test('SignalR_Snaprtc_InitiatorAndCaptureCallWithoutTrickleAndIgnoreTheirEchoes', { timeout: 60_000 }, async () => {
  const options = { url: `${hub.ws}/hubs/snaprtc`, room: 'snap-node' };
  await assert.rejects(
    connect({ ...FAST, dialect: 'signalr', ...options, signalr: { contract: 'snaprtc' } }),
    (error) => error instanceof RtcSignalingError && error.code === 'invalid-config' && /role/.test(error.message),
  );
  const initiator = await sdk({ ...options, name: 'i', signalr: { contract: 'snaprtc', role: 'initiator' } });
  assert.equal(initiator.id, 'initiator');
  assert.deepEqual(initiator.peers, [], 'nobody is ready yet');
  const errors = [];
  initiator.on('error', (e) => errors.push(e));
  const capture = await sdk({ ...options, name: 'c', signalr: { contract: 'snaprtc', role: 'capture' } });
  capture.on('error', (e) => errors.push(e));
  assert.equal(capture.id, 'capture');
  await exchangeData(initiator, capture, 'initiator', 'capture');
  // The offer and the answer came back to their senders too (the hub sends to the whole group):
  // nothing was dropped, nothing reported.
  assert.equal(initiator.stats.framesDropped + capture.stats.framesDropped, 0);
  assert.deepEqual(errors, []);
  // Without `signaling: 'until-connected'` the hub connection stays open.
  assert.equal(initiator.state, 'open');
  assert.equal(capture.state, 'open');
});

test('SignalR_Ekobit_TheAuthorizedHubWantsABearerToken', { timeout: 60_000 }, async () => {
  const options = { url: `${hub.ws}/hubs/ekobit-auth`, room: 'ekobit-auth', signalr: { contract: 'ekobit' } };
  await assert.rejects(
    withTimeout(connect({ ...FAST, dialect: 'signalr', ...options }), T, 'no token'),
    (error) => error instanceof RtcSignalingError && error.code === 'unauthorized',
  );
  const a = await sdk({ ...options, name: 'a', token: () => token({ sub: 'a', name: 'a' }) });
  const b = await sdk({ ...options, name: 'b', token: () => token({ sub: 'b', name: 'b' }) });
  await exchangeData(a, b, 'initiator', 'joiner');
});
