// Attacks on the reference server, each written as the attack itself (issue 10). Every one of
// them crashed the server, stole a session, grew its memory or forged its logs before the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, readFile, rm, symlink } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { startServer as startProcess } from './helpers/server.js';
import { startServer, joined, resumeOf, signalUrl, upgradeStatus, TestClient, OFFER, CANDIDATE } from './server_harness.js';

const SECRET = 'hostile-test-secret';

function jwt({ sub, rooms = ['*'], exp = '5m' }) {
  const t = new SignJWT({ name: sub, rooms }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (sub) t.setSubject(sub);
  if (exp) t.setExpirationTime(exp);
  return t.sign(new TextEncoder().encode(SECRET));
}

/** Sends raw bytes over TCP and resolves with what the server answered before closing. */
function rawHttp(port, text) {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (answer += d));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(3000, () => reject(new Error(`no answer; got ${JSON.stringify(answer)}`)));
  });
}

function httpGet(port, path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function alive(server) {
  const probe = await TestClient.open(signalUrl(server, { room: 'alive' }));
  probe.send({ type: 'ping' });
  await probe.next('pong');
  await probe.close();
}

// ---- 1. Object.prototype member names as message types

const PROTOTYPE_NAMES = [
  '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf',
  'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__',
];

test('Hostile_TypesNamingObjectPrototypeMembersAreIgnoredBeforeAndAfterJoin', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const before = await TestClient.open(signalUrl(server, { room: 'proto' }));
  for (const type of PROTOTYPE_NAMES) before.send({ type });
  before.send(`{"type":"__proto__","__proto__":{"polluted":true}}`);
  await before.expectNothing(() => true); // unknown types: no reply at all, and no crash
  await before.join('proto', 'alice');
  const bob = await joined(server, 'proto', 'bob');
  for (const type of PROTOTYPE_NAMES) before.send({ type, to: bob.welcome.id, seq: 1, data: OFFER });
  await before.expectNothing((m) => m.type === 'error');
  assert.equal({}.polluted, undefined, 'Object.prototype untouched');
  before.send({ type: 'signal', to: bob.welcome.id, seq: 1, data: OFFER });
  assert.equal((await bob.next('signal')).from, before.welcome.id);
  await Promise.all([before.close(), bob.close()]);
});

test('Hostile_EveryErrorFrameCarriesAStringMessage', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const c = await TestClient.open(signalUrl(server, { room: 'msg' }));
  for (const type of [...PROTOTYPE_NAMES, 'signal', 'ack', 'leave']) c.send({ type, seq: 'x' });
  c.send({ type: 'ping' });
  await c.next('pong');
  const errors = c.inbox.filter((m) => m.type === 'error');
  assert.ok(errors.length >= 3, 'signal/ack/leave before join are answered');
  for (const e of errors) {
    assert.equal(typeof e.message, 'string', JSON.stringify(e));
    assert.equal(typeof e.code, 'string', JSON.stringify(e));
  }
  await c.close();
});

// ---- 2. Upgrade targets that are not URLs

for (const auth of [false, true]) {
  test(`Hostile_UnparsableUpgradeTargetGets400AndNeverCrashes${auth ? 'WithAuth' : ''}`, async (t) => {
    const lines = [];
    const server = await startServer({ ...(auth ? { secret: SECRET } : {}), log: (l) => lines.push(l) });
    t.after(() => server.close());
    for (const target of ['//[', '//[?access_token=SUPERSECRETTOKEN', 'http://[::1', '//%']) {
      const answer = await rawHttp(
        server.port,
        `GET ${target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      assert.match(answer, /^HTTP\/1\.1 400 /, target);
      const plain = await rawHttp(server.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.match(plain, /^HTTP\/1\.1 400 /, `plain GET ${target}`);
    }
    const token = auth ? await jwt({ sub: 'u' }) : undefined;
    assert.equal(await upgradeStatus(signalUrl(server, { room: 'a', access_token: token })), 101, 'still serving');
    assert.ok(!lines.join('\n').includes('SUPERSECRETTOKEN'), 'tokens never reach the log');
  });
}

// ---- 3. Resume tokens

async function authedPair(server, room) {
  const [ta, tb] = await Promise.all([jwt({ sub: 'alice' }), jwt({ sub: 'bob' })]);
  const alice = await joined(server, room, 'alice', { query: { access_token: ta } });
  const bob = await joined(server, room, 'bob', { query: { access_token: tb } });
  await alice.next('peer-joined');
  return { alice, bob, ta, tb };
}

test('Hostile_ResumeTokenPresentedByAnotherUserIsRefused', async (t) => {
  const server = await startServer({ secret: SECRET, graceMs: 10_000 });
  t.after(() => server.close());
  const { alice, bob, tb } = await authedPair(server, 'steal');
  await alice.drop(); // alice in her grace period, with a frame waiting for her
  bob.send({ type: 'signal', to: alice.welcome.id, seq: 1, data: OFFER });
  await bob.next((m) => m.type === 'ack' && m.seq === 1);

  // bob holds alice's token *and* her session secret, but is not alice.
  const thief = await joined(server, 'steal', 'bob', { query: { access_token: tb }, ...resumeOf(alice, 0) });
  assert.equal(thief.welcome.resumed, false);
  assert.notEqual(thief.welcome.id, alice.welcome.id);
  await thief.expectNothing((m) => m.type === 'signal');

  // alice herself still resumes, and gets her replay.
  const ta = await jwt({ sub: 'alice' });
  const back = await joined(server, 'steal', 'alice', { query: { access_token: ta }, ...resumeOf(alice, 0) });
  assert.equal(back.welcome.resumed, true);
  assert.equal(back.welcome.id, alice.welcome.id);
  assert.equal((await back.next('signal')).from, bob.welcome.id);
  await Promise.all([back.close(), bob.close(), thief.close()]);
});

test('Hostile_ResumeTokenWithoutItsSessionSecretIsRefused', async (t) => {
  const server = await startServer({ graceMs: 10_000 });
  t.after(() => server.close());
  const alice = await joined(server, 'nosecret', 'alice');
  assert.equal(typeof alice.secret, 'string');
  assert.ok(!alice.welcome.resume.includes(alice.secret), 'the token does not contain the secret');
  const bob = await joined(server, 'nosecret', 'bob');
  await alice.drop();
  for (const secret of [undefined, 'guess', bob.secret]) {
    const thief = await joined(server, 'nosecret', 'mallory', { extra: { resume: alice.welcome.resume, secret, lastSeq: 0 } });
    assert.equal(thief.welcome.resumed, false, `secret ${secret}`);
    assert.notEqual(thief.welcome.id, alice.welcome.id);
    await thief.close();
  }
  const back = await joined(server, 'nosecret', 'alice', resumeOf(alice, 0));
  assert.equal(back.welcome.resumed, true);
  assert.equal(back.welcome.id, alice.welcome.id);
  assert.equal(back.welcome.secret, undefined, 'a resumed welcome does not repeat the secret');
  // The token of the resumed welcome works with the same secret.
  await back.drop();
  const again = await joined(server, 'nosecret', 'alice', resumeOf(back, 0));
  assert.equal(again.welcome.resumed, true);
  assert.equal(again.welcome.id, alice.welcome.id);
  await Promise.all([again.close(), bob.close()]);
});

test('Hostile_ResumeTokenAfterLeaveIsRevoked', async (t) => {
  const server = await startServer({ graceMs: 10_000 });
  t.after(() => server.close());
  const alice = await joined(server, 'revoke', 'alice');
  const bob = await joined(server, 'revoke', 'bob');
  await bob.next('peer-joined').catch(() => {});
  alice.send({ type: 'leave' });
  await alice.waitClose();
  assert.equal((await bob.next('peer-left')).id, alice.welcome.id);
  const replay = await joined(server, 'revoke', 'alice', resumeOf(alice, 0));
  assert.equal(replay.welcome.resumed, false);
  assert.notEqual(replay.welcome.id, alice.welcome.id, 'the id is not handed back either');
  await Promise.all([replay.close(), bob.close()]);
});

test('Hostile_OldSessionTokenCannotTakeOverANewerSessionOfTheSameId', async (t) => {
  const server = await startServer({ graceMs: 100 });
  t.after(() => server.close());
  const alice = await joined(server, 'older', 'alice');
  const bob = await joined(server, 'older', 'bob');
  await alice.drop();
  await bob.next('peer-left', 3000); // grace expired
  // alice comes back after the grace: same id, fresh session, new secret.
  const fresh = await joined(server, 'older', 'alice', resumeOf(alice, 0));
  assert.equal(fresh.welcome.id, alice.welcome.id);
  assert.equal(fresh.welcome.resumed, false);
  assert.notEqual(fresh.secret, alice.secret);
  // The first session's token (and secret) must not move the live one.
  const stale = await joined(server, 'older', 'alice', resumeOf(alice, 0));
  assert.notEqual(stale.welcome.id, alice.welcome.id);
  await fresh.expectNothing(() => false);
  assert.equal(fresh.ws.readyState, fresh.ws.OPEN, 'the newer session keeps its socket');
  await Promise.all([fresh.close(), stale.close(), bob.close()]);
});

// ---- 4. Memory bounds

const padded = (sdpBytes, junkBytes) => ({
  description: { type: 'offer', sdp: 'v=0\r\n' + 'a=x\r\n'.repeat(Math.floor(sdpBytes / 5)) },
  junk: 'j'.repeat(junkBytes),
  junk2: { deep: ['x'] },
});

test('Hostile_UnknownFieldsInsideSignalDataAreNotRelayed', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const alice = await joined(server, 'canon', 'alice');
  const bob = await joined(server, 'canon', 'bob');
  alice.send({ type: 'signal', to: bob.welcome.id, seq: 1, data: { ...OFFER, extra: 'x'.repeat(1000) } });
  alice.send({
    type: 'signal', to: bob.welcome.id, seq: 2,
    data: { candidate: { ...CANDIDATE.candidate, foo: 1, usernameFragment: 'u' }, bar: [1] },
  });
  alice.send({ type: 'signal', to: bob.welcome.id, seq: 3, data: { candidate: null, baz: true } });
  const got = [await bob.next('signal'), await bob.next('signal'), await bob.next('signal')];
  assert.deepEqual(got.map((m) => m.data), [
    OFFER,
    { candidate: { ...CANDIDATE.candidate, usernameFragment: 'u' } },
    { candidate: null },
  ]);
  await Promise.all([alice.close(), bob.close()]);
});

test('Hostile_ReplayQueueOfAPeerThatNeverAcksIsCappedInBytes', async (t) => {
  const maxReplayBytes = 200 * 1024;
  const server = await startServer({ rate: 100_000, maxReplayBytes });
  t.after(() => server.close());
  const alice = await joined(server, 'bytes', 'alice');
  const bob = await joined(server, 'bytes', 'bob'); // never acks
  const frames = 40; // 40 × ~28 KiB relayed = 1.1 MiB, five times the cap
  for (let seq = 1; seq <= frames; seq++) {
    alice.send({ type: 'signal', to: bob.welcome.id, seq, data: padded(20_000, 20_000) });
  }
  await alice.next((m) => m.type === 'ack' && m.seq === frames, 5000);
  const backlogged = alice.inbox.filter((m) => m.type === 'error' && m.code === 'peer-backlogged');
  assert.ok(backlogged.length > 0, 'the sender is told its signals were refused');
  const stats = server.stats();
  assert.ok(stats.replayBytes <= maxReplayBytes, `${stats.replayBytes} bytes held, cap ${maxReplayBytes}`);
  assert.ok(stats.replayBytes > maxReplayBytes / 2, 'the queue did fill up to near its cap');
  assert.equal(stats.dropped.signals, backlogged.length);
  // bob is not evicted: he acks late and everything that was queued is his.
  bob.send({ type: 'ack', seq: frames - backlogged.length });
  await bob.expectNothing((m) => m.type === 'peer-left');
  await alice.expectNothing((m) => m.type === 'peer-left');
  assert.ok(server.stats().replayBytes < 1024, `acks free the queue: ${JSON.stringify(server.stats())} ${backlogged.length}`);
  await Promise.all([alice.close(), bob.close()]);
});

test('Hostile_ConnectionsAreCappedPerAddress', async (t) => {
  const server = await startServer({ maxConnectionsPerIp: 5 });
  t.after(() => server.close());
  const open = [];
  for (let i = 0; i < 5; i++) open.push(await TestClient.open(signalUrl(server, { room: 'cap' })));
  assert.equal(await upgradeStatus(signalUrl(server, { room: 'cap' })), 429);
  assert.equal(server.stats().connections, 5);
  await open.pop().close();
  await waitFor(() => server.stats().connections === 4);
  assert.equal(await upgradeStatus(signalUrl(server, { room: 'cap' })), 101, 'a closed socket frees its place');
  await Promise.all(open.map((c) => c.close()));
});

test('Hostile_ConnectionsAreCappedInTotal', async (t) => {
  const server = await startServer({ maxConnections: 3 });
  t.after(() => server.close());
  const open = [];
  for (let i = 0; i < 3; i++) open.push(await TestClient.open(signalUrl(server, { room: 'cap' })));
  assert.equal(await upgradeStatus(signalUrl(server, { room: 'cap' })), 503);
  assert.equal(server.stats().refusedConnections, 1);
  await Promise.all(open.map((c) => c.close()));
  await waitFor(() => server.stats().connections === 0);
  assert.equal(await upgradeStatus(signalUrl(server, { room: 'cap' })), 101);
});

test('Hostile_FloodOfUpgradesFromOneAddressIsRefusedPastTheCap', async (t) => {
  const server = await startServer({ maxConnectionsPerIp: 20 });
  t.after(() => server.close());
  // 200 sockets at once, all kept open: only the cap's worth get in.
  const sockets = Array.from({ length: 200 }, () => new WebSocket(signalUrl(server, { room: 'burst' })));
  const outcomes = await Promise.all(
    sockets.map(
      (ws) =>
        new Promise((resolve) => {
          ws.once('open', () => resolve(101));
          ws.once('unexpected-response', (_req, res) => (res.resume(), resolve(res.statusCode)));
          ws.once('error', () => resolve('error'));
        }),
    ),
  );
  assert.equal(outcomes.filter((s) => s === 101).length, 20);
  assert.equal(outcomes.filter((s) => s === 429).length, 180, outcomes.join(','));
  await Promise.all(sockets.map((ws) => new Promise((done) => (ws.readyState === ws.CLOSED ? done() : (ws.once('close', done), ws.terminate())))));
  await waitFor(() => server.stats().connections === 0);
  await alive(server);
});

async function waitFor(predicate, timeoutMs = 3000) {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

// ---- 5. Flooding a peer in its grace period

test('Hostile_FloodingAPeerInItsGracePeriodDoesNotEvictIt', async (t) => {
  const server = await startServer({ rate: 100_000, maxReplayBytes: 64 * 1024, graceMs: 10_000 });
  t.after(() => server.close());
  const alice = await joined(server, 'grace', 'alice');
  const bob = await joined(server, 'grace', 'bob');
  await alice.next('peer-joined');
  alice.send({ type: 'ack', seq: 1 });
  await bob.drop();
  // Honest traffic first, then a flood, then presence churn from the room.
  alice.send({ type: 'signal', to: bob.welcome.id, seq: 1, data: OFFER });
  for (let seq = 2; seq <= 200; seq++) alice.send({ type: 'signal', to: bob.welcome.id, seq, data: padded(4000, 0) });
  await alice.next((m) => m.type === 'ack' && m.seq === 200, 5000);
  for (let i = 0; i < 30; i++) {
    const churn = await joined(server, 'grace', `churn${i}`);
    churn.send({ type: 'leave' });
    await churn.waitClose();
  }
  const carol = await joined(server, 'grace', 'carol');
  assert.ok(server.stats().replayBytes <= 3 * 64 * 1024, 'each of the three queues within its cap');
  assert.ok(!alice.inbox.some((m) => m.type === 'peer-left' && m.id === bob.welcome.id), 'bob not announced gone');

  const back = await joined(server, 'grace', 'bob', resumeOf(bob, 0));
  assert.equal(back.welcome.resumed, true);
  assert.equal(back.welcome.id, bob.welcome.id);
  assert.deepEqual(back.welcome.peers.map((p) => p.name).sort(), ['alice', 'carol'], 'the welcome lists the room as it is');
  const first = await back.next('signal');
  assert.deepEqual(first.data, OFFER, 'what was queued before the flood is replayed');
  await Promise.all([alice.close(), back.close(), carol.close()]);
});

// ---- 6. Log forging

test('Hostile_NewlinesInRoomNamesCannotForgeLogLines', async (t) => {
  const lines = [];
  const server = await startServer({ log: (l) => lines.push(l) });
  t.after(() => server.close());
  const room = 'r1\nleave room=admin id=root reason=left\u2028x';
  const c = await TestClient.open(signalUrl(server));
  await c.join(room, 'alice');
  c.send({ type: 'leave' });
  await c.waitClose();
  assert.ok(lines.length >= 2);
  for (const line of lines) {
    assert.ok(!/[\n\r\u2028\u2029]/.test(line), `one line per entry: ${JSON.stringify(line)}`);
  }
  assert.ok(!lines.some((l) => l.startsWith('leave room=admin')));
});

// ---- 7. Static files

test('Hostile_StaticServesNoDotfilesNoSymlinksAndNeverTheResumeKey', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rtc-hostile-static-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const outside = join(dir, 'outside.txt');
  await writeFile(outside, 'outside the root');
  const site = join(dir, 'site');
  await mkdir(join(site, 'sub'), { recursive: true });
  await writeFile(join(site, 'index.html'), 'home');
  await writeFile(join(site, '.env'), 'SECRET=1');
  await mkdir(join(site, '.git'));
  await writeFile(join(site, '.git', 'config'), 'git');
  await symlink(outside, join(site, 'link.txt'));
  await symlink(join(dir), join(site, 'up'));
  await symlink(join(site, 'index.html'), join(site, 'sub', 'inner.html'));

  // --static at the working directory with the default key location, and a key file with a
  // name that is not a dotfile: neither is ever served.
  for (const keyFile of [join(site, '.rtc-signaling', 'resume.key'), join(site, 'resume.key')]) {
    const server = await startServer({ staticDir: site, resumeSecret: null, resumeKeyFile: keyFile });
    const key = (await readFile(keyFile, 'utf8')).trim();
    try {
      assert.equal((await httpGet(server.port, '/index.html')).status, 200);
      for (const path of [
        '/.rtc-signaling/resume.key', '/%2ertc-signaling/resume.key', '/.env', '/.git/config', '/sub/../.env', '/%2eenv',
        '/resume.key', '/link.txt', '/up/outside.txt', '/sub/inner.html', '/..%2foutside.txt',
      ]) {
        const res = await httpGet(server.port, path);
        assert.notEqual(res.status, 200, path);
        assert.ok(!res.body.includes(key) && !res.body.includes('SECRET=1') && !res.body.includes('outside the root'), path);
      }
    } finally {
      await server.close();
    }
  }
});

// ---- 8. Access tokens without exp

test('Hostile_AccessTokenWithoutExpIsRefused', async (t) => {
  const server = await startServer({ secret: SECRET });
  t.after(() => server.close());
  const forever = await jwt({ sub: 'u', exp: null });
  assert.equal(await upgradeStatus(signalUrl(server, { room: 'a', access_token: forever })), 401);
  const res = await fetch(signalUrl(server, { room: 'a', access_token: forever }).replace(/^ws:/, 'http:'));
  assert.equal(res.status, 401);
  await res.text();
  assert.equal(await upgradeStatus(signalUrl(server, { room: 'a', access_token: await jwt({ sub: 'u' }) })), 101);
});

// ---- 4b. The measured attack, against the real server process

test('Hostile_NeverAckingPairsKeepTheServerProcessMemoryBounded', async (t) => {
  const server = await startProcess(['--rate', '100000']);
  t.after(() => server.stop());
  const rss = async () => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${server.child.pid}/status`, 'utf8'))[1]) * 1024;
  const pairs = [];
  for (let i = 0; i < 4; i++) {
    const alice = await TestClient.open(`${server.url}?room=mem${i}`);
    await alice.join(`mem${i}`, 'alice');
    const bob = await TestClient.open(`${server.url}?room=mem${i}`);
    await bob.join(`mem${i}`, 'bob'); // never acks
    pairs.push({ alice, bob });
  }
  const before = await rss();
  // 4 × 1000 frames of ~48 KiB each (half of it unknown fields): before the fix each victim's
  // queue held up to 1024 of them, ~190 MB for the four.
  const perPair = 1000;
  await Promise.all(
    pairs.map(async ({ alice, bob }) => {
      for (let seq = 1; seq <= perPair; seq++) {
        alice.send({ type: 'signal', to: bob.welcome.id, seq, data: padded(20_000, 20_000) });
        if (seq % 50 === 0) await alice.next((m) => m.type === 'ack' && m.seq === seq, 10_000);
      }
    }),
  );
  const grown = (await rss()) - before;
  t.diagnostic(`server RSS grew ${(grown / 1048576).toFixed(1)} MiB over ${4 * perPair} frames to 4 peers that never ack`);
  assert.ok(grown < 64 * 1048576, `RSS grew ${(grown / 1048576).toFixed(1)} MiB; the replay cap is 4 × 1 MiB`);
  for (const { alice, bob } of pairs) {
    assert.ok(alice.inbox.some((m) => m.type === 'error' && m.code === 'peer-backlogged'));
    await Promise.all([alice.close(), bob.close()]);
  }
});
