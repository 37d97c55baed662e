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

async function sdk(options) {
  const client = await connect({ ...FAST, dialect: 'signalr', ...options });
  open.push(client);
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

/** Waits until a data channel message arrives at `to` from `from`. */
async function exchangeData(a, b) {
  const atB = once(b, 'data', ({ id }) => id === a.id, T);
  const atA = once(a, 'data', ({ id }) => id === b.id, T);
  await until(a, ['peer-state'], () => a.peers.some((p) => p.id === b.id && p.state === 'connected'), T, 'a connected');
  await until(b, ['peer-state'], () => b.peers.some((p) => p.id === a.id && p.state === 'connected'), T, 'b connected');
  // The negotiated channel may open a moment after the connection; retry until it carries data.
  const sendUntil = async (from, to, promise, text) => {
    let done = false;
    promise.then(() => (done = true), () => (done = true));
    while (!done) {
      try {
        from.send(to, text);
      } catch {
        // channel not open yet
      }
      await Promise.race([promise.catch(() => {}), new Promise((r) => setTimeout(r, 100))]);
    }
    return promise;
  };
  const gotB = await sendUntil(a, b.id, atB, `hello from ${a.id}`);
  const gotA = await sendUntil(b, a.id, atA, `hello from ${b.id}`);
  assert.equal(gotB.data, `hello from ${a.id}`);
  assert.equal(gotA.data, `hello from ${b.id}`);
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
