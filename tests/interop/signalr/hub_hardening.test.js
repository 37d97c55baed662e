// demo/signalr-hub under attack (issue 10 #8): tokens without exp, rooms the token does not grant,
// no secret configured, foreign origins, and a client flooding the unauthenticated signalrtc hub.
import { WebSocket as NodeWebSocket } from 'ws';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HubConnectionBuilder, HttpTransportType, LogLevel } from '@microsoft/signalr';
import { buildHub, spawnHub, startHub, token } from './helpers/hub.js';

let hub;
before(async () => {
  await buildHub();
  hub = await startHub();
}, { timeout: 300_000 });
after(() => hub?.stop());

function hubConnection(path, accessTokenFactory) {
  return new HubConnectionBuilder()
    .withUrl(`${hub.http}${path}`, {
      ...(accessTokenFactory ? { accessTokenFactory } : {}),
      transport: HttpTransportType.WebSockets,
      WebSocket: NodeWebSocket,
    })
    .configureLogging(LogLevel.None)
    .build();
}

const negotiate = (path, headers = {}) =>
  fetch(`${hub.http}${path}/negotiate?negotiateVersion=1`, { method: 'POST', headers });

test('Hub_TokenWithoutExpIsRefused', async () => {
  const forever = await token({ expiresIn: null });
  assert.equal((await negotiate('/hubs/room', { Authorization: `Bearer ${forever}` })).status, 401);
  const fine = await token();
  assert.equal((await negotiate('/hubs/room', { Authorization: `Bearer ${fine}` })).status, 200);
});

test('Hub_JoinIsRefusedForARoomTheTokenDoesNotGrant', async () => {
  const connection = hubConnection('/hubs/room', () => token({ sub: 'u', rooms: ['a'] }));
  await connection.start();
  try {
    await assert.rejects(connection.invoke('Join', 'b', 'u'), /does not grant room 'b'/);
    const welcome = new Promise((resolve) => connection.on('Welcome', (id) => resolve(id)));
    await connection.invoke('Join', 'a', 'u');
    assert.equal(typeof (await welcome), 'string');
  } finally {
    await connection.stop();
  }
  const none = hubConnection('/hubs/room', () => token({ sub: 'v', rooms: [] }));
  await none.start();
  try {
    await assert.rejects(none.invoke('Join', 'a', 'v'), /does not grant/);
  } finally {
    await none.stop();
  }
});

test('Hub_RefusesToStartWithoutASecret', async () => {
  for (const secret of [undefined, '', 'short']) {
    const child = spawnHub({ RTC_SIGNALR_SECRET: secret });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.notEqual(code, 0, `started with secret ${JSON.stringify(secret)}: ${output}`);
    assert.match(output, /RTC_SIGNALR_SECRET must be set/);
    assert.doesNotMatch(output, /Now listening/);
  }
});

test('Hub_CorsGrantsOnlyLoopbackOrigins', async () => {
  const preflight = (origin) =>
    fetch(`${hub.http}/hubs/signalrtc/negotiate?negotiateVersion=1`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-requested-with' },
    });
  const evil = await preflight('https://evil.example');
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  assert.equal(evil.headers.get('access-control-allow-credentials'), null);
  for (const origin of ['http://localhost:4200', 'http://127.0.0.1:8080']) {
    const ok = await preflight(origin);
    assert.equal(ok.headers.get('access-control-allow-origin'), origin);
    assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
  }
  const post = await negotiate('/hubs/signalrtc', { Origin: 'https://evil.example' });
  assert.equal(post.headers.get('access-control-allow-origin'), null);
});

test('Hub_SignalrtcFloodIsRateLimitedAndTheFlooderDisconnected', async () => {
  const victim = hubConnection('/hubs/signalrtc');
  let arrived = 0;
  victim.on('NewUserArrived', () => arrived++);
  await victim.start();
  const flooder = hubConnection('/hubs/signalrtc');
  await flooder.start();
  const closed = new Promise((resolve) => flooder.onclose(resolve));
  const results = await Promise.allSettled(Array.from({ length: 300 }, () => flooder.invoke('NewUser', 'flood')));
  const refused = results.filter((r) => r.status === 'rejected').length;
  assert.ok(refused >= 200, `${refused} of 300 refused`);
  await closed; // past a burst's worth of refusals the hub drops the connection
  // The victim got no more broadcasts than the bucket allowed (40 burst + 20/s while it ran).
  await victim.invoke('NewUser', 'victim'); // a round trip: earlier broadcasts have arrived
  assert.ok(arrived <= 60, `${arrived} broadcasts reached the victim`);
  assert.ok(arrived >= 1);
  await victim.stop();
});
