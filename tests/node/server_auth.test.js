import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { startServer, signalUrl, upgradeStatus, TestClient } from './server_harness.js';

const SECRET = 'auth-test-secret';
let server;
before(async () => (server = await startServer({ secret: SECRET })));
after(() => server.close());

function token(claims, secret = SECRET, expiresIn = '5m') {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

async function probe(query) {
  const url = signalUrl(server, query).replace(/^ws:/, 'http:');
  const res = await fetch(url);
  await res.text();
  return res;
}

test('Server_UpgradeWithoutTokenIsRefused401', async () => {
  assert.equal(await upgradeStatus(signalUrl(server, { room: 'a' })), 401);
});

test('Server_UpgradeWithBadSignatureIsRefused401', async () => {
  const forged = await token({ sub: 'u', name: 'n', rooms: ['*'] }, 'other-secret');
  assert.equal(await upgradeStatus(signalUrl(server, { room: 'a', access_token: forged })), 401);
});

test('Server_UpgradeWithExpiredTokenIsRefused401', async () => {
  const expired = await token({ sub: 'u', name: 'n', rooms: ['*'] }, SECRET, '-1m');
  assert.equal(await upgradeStatus(signalUrl(server, { room: 'a', access_token: expired })), 401);
});

test('Server_UpgradeForRoomNotGrantedIsRefused403', async () => {
  const t = await token({ sub: 'u', name: 'n', rooms: ['a'] });
  assert.equal(await upgradeStatus(signalUrl(server, { room: 'b', access_token: t })), 403);
});

test('Server_UpgradeForGrantedOrWildcardRoomSucceeds', async () => {
  const one = await token({ sub: 'u', name: 'n', rooms: ['a'] });
  const any = await token({ sub: 'u', name: 'n', rooms: ['*'] });
  assert.equal(await upgradeStatus(signalUrl(server, { room: 'a', access_token: one })), 101);
  assert.equal(await upgradeStatus(signalUrl(server, { room: 'zzz', access_token: any })), 101);
});

test('Server_PlainGetProbeAnswersLikeTheUpgradeWithCors', async () => {
  const granted = await token({ sub: 'u', name: 'n', rooms: ['a'] });
  const cases = [
    [{ room: 'a' }, 401],
    [{ room: 'a', access_token: 'garbage' }, 401],
    [{ room: 'b', access_token: granted }, 403],
    [{ room: 'a', access_token: granted }, 426],
  ];
  for (const [query, status] of cases) {
    const res = await probe(query);
    assert.equal(res.status, status, JSON.stringify(query));
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
  }
});

test('Server_ProbeWithoutSecretAnswers426', async () => {
  const open = await startServer();
  try {
    const res = await fetch(signalUrl(open, { room: 'a' }).replace(/^ws:/, 'http:'));
    await res.text();
    assert.equal(res.status, 426);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('upgrade'), 'websocket');
  } finally {
    await open.close();
  }
});

test('Server_TokenNameIsAuthoritative', async () => {
  const t = await token({ sub: 'u1', name: 'Real Name', rooms: ['a'] });
  const alice = await TestClient.open(signalUrl(server, { room: 'a', access_token: t }));
  await alice.join('a', 'alice');
  const t2 = await token({ sub: 'u2', name: 'Bob', rooms: ['a'] });
  const bob = await TestClient.open(signalUrl(server, { room: 'a', access_token: t2 }));
  const welcome = await bob.join('a', 'someone-else');
  assert.deepEqual(welcome.peers, [{ id: alice.welcome.id, name: 'Real Name' }]);
  await Promise.all([alice.close(), bob.close()]);
});

test('Server_JoinWithoutRoomInUrlIsCheckedAgainstTokenRooms', async () => {
  const t = await token({ sub: 'u', name: 'n', rooms: ['a'] });
  const client = await TestClient.open(signalUrl(server, { access_token: t }));
  client.send({ type: 'join', room: 'b', name: 'n' });
  const error = await client.next('error');
  assert.equal(error.code, 'forbidden');
  assert.equal(error.fatal, true);
  assert.equal((await client.waitClose()).code, 4403);
});

test('Server_NeverLogsAccessTokens', async () => {
  const lines = [];
  const logged = await startServer({ secret: SECRET, log: (line) => lines.push(line) });
  try {
    const t = await token({ sub: 'u', name: 'n', rooms: ['a'] });
    assert.equal(await upgradeStatus(signalUrl(logged, { room: 'b', access_token: t })), 403);
    const client = await TestClient.open(signalUrl(logged, { room: 'a', access_token: t }));
    await client.join('a', 'n');
    await client.close();
    assert.ok(lines.length > 0, 'the server logs joins');
    for (const line of lines) assert.ok(!line.includes(t), `token leaked into log: ${line}`);
  } finally {
    await logged.close();
  }
});
