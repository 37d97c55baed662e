import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, joined, resumeOf, OFFER, CANDIDATE } from './server_harness.js';


test('Server_DroppedPeerStaysSilentlyDuringGraceAndResumesWithReplayAndDedupe', async (t) => {
  const server = await startServer({ graceMs: 10_000 });
  t.after(() => server.close());
  const alice = await joined(server, 'res-1', 'alice');
  const bob = await joined(server, 'res-1', 'bob');
  await alice.next('peer-joined'); // alice #1

  bob.send({ type: 'signal', to: alice.welcome.id, seq: 1, data: OFFER }); // alice #2
  assert.equal((await alice.next('signal')).seq, 2);
  alice.send({ type: 'ack', seq: 2 });
  alice.send({ type: 'signal', to: bob.welcome.id, seq: 1, data: OFFER });
  alice.send({ type: 'signal', to: bob.welcome.id, seq: 2, data: CANDIDATE });
  await alice.next((m) => m.type === 'ack' && m.seq === 2);
  await alice.drop();

  // While alice is away: no announcement, and frames for her are kept.
  bob.send({ type: 'signal', to: alice.welcome.id, seq: 2, data: CANDIDATE }); // alice #3
  bob.send({ type: 'signal', to: alice.welcome.id, seq: 3, data: { candidate: null } }); // alice #4
  await bob.next((m) => m.type === 'ack' && m.seq === 3);
  await bob.expectNothing((m) => m.type === 'peer-left');

  // alice processed up to #3 (she saw it just before the drop, say) and resumes.
  const back = await joined(server, 'res-1', 'alice', resumeOf(alice, 3));
  assert.equal(back.welcome.resumed, true);
  assert.equal(back.welcome.id, alice.welcome.id);
  assert.equal(back.welcome.ack, 2, 'server processed alice signals up to 2');
  assert.deepEqual(back.welcome.peers, [{ id: bob.welcome.id, name: 'bob' }]);
  assert.notEqual(back.welcome.resume, undefined);
  const replayed = await back.next('signal');
  assert.deepEqual(replayed, { type: 'signal', seq: 4, from: bob.welcome.id, data: { candidate: null } });

  // alice resends her unacked signal 2 (a duplicate) and a new 3: only 3 is relayed.
  back.send({ type: 'signal', to: bob.welcome.id, seq: 2, data: CANDIDATE });
  back.send({ type: 'signal', to: bob.welcome.id, seq: 3, data: { candidate: null } });
  await back.next((m) => m.type === 'ack' && m.seq === 3);
  const relayed = [await bob.next('signal'), await bob.next('signal'), await bob.next('signal')];
  assert.deepEqual(relayed.map((m) => m.data), [OFFER, CANDIDATE, { candidate: null }]);
  await bob.expectNothing((m) => m.type === 'signal' || m.type === 'peer-joined' || m.type === 'peer-left');
  await Promise.all([back.close(), bob.close()]);
});

test('Server_ReplayResendsEveryUnackedFrameInOrder', async (t) => {
  const server = await startServer({ graceMs: 10_000 });
  t.after(() => server.close());
  const alice = await joined(server, 'res-2', 'alice');
  const bob = await joined(server, 'res-2', 'bob');
  await alice.next('peer-joined'); // #1, never acked
  await alice.drop();
  for (let seq = 1; seq <= 3; seq++) bob.send({ type: 'signal', to: alice.welcome.id, seq, data: CANDIDATE });
  await bob.next((m) => m.type === 'ack' && m.seq === 3);
  const carol = await joined(server, 'res-2', 'carol'); // alice #5

  const back = await joined(server, 'res-2', 'alice', resumeOf(alice, 0));
  const replay = [];
  for (let i = 0; i < 5; i++) replay.push(await back.next());
  assert.deepEqual(replay.map((m) => [m.type, m.seq]), [
    ['peer-joined', 1], ['signal', 2], ['signal', 3], ['signal', 4], ['peer-joined', 5],
  ]);
  assert.equal(replay[4].peer.id, carol.welcome.id);
  await Promise.all([back.close(), bob.close(), carol.close()]);
});

test('Server_GraceExpiryAnnouncesPeerLeftTimeout', async (t) => {
  const server = await startServer({ graceMs: 100 });
  t.after(() => server.close());
  const alice = await joined(server, 'res-3', 'alice');
  const bob = await joined(server, 'res-3', 'bob');
  await alice.next('peer-joined');
  await bob.drop();
  const left = await alice.next('peer-left', 3000);
  assert.deepEqual(left, { type: 'peer-left', seq: 2, id: bob.welcome.id, reason: 'timeout' });
  await alice.close();
});

test('Server_ResumeAfterGraceExpiryRecreatesPeerWithSameIdAsAFreshSessionAndAnnouncesIt', async (t) => {
  const server = await startServer({ graceMs: 50 });
  t.after(() => server.close());
  const alice = await joined(server, 'res-4', 'alice');
  const bob = await joined(server, 'res-4', 'bob');
  await alice.next('peer-joined');
  await bob.drop();
  await alice.next('peer-left', 3000);
  const back = await joined(server, 'res-4', 'bob', resumeOf(bob, 0));
  assert.equal(back.welcome.id, bob.welcome.id);
  // alice dropped her connection to bob on peer-left: resumed:false tells bob to reconnect his.
  assert.equal(back.welcome.resumed, false);
  assert.equal(back.welcome.restored, undefined);
  assert.equal(back.welcome.ack, 0);
  assert.deepEqual((await alice.next('peer-joined')).peer, { id: bob.welcome.id, name: 'bob' });
  await Promise.all([alice.close(), back.close()]);
});

test('Server_RestartWithSameResumeSecretKeepsIdsAndContinuesNumbering', async () => {
  const first = await startServer({ resumeSecret: 'shared' });
  const alice = await joined(first, 'res-5', 'alice');
  const bob = await joined(first, 'res-5', 'bob');
  await alice.next('peer-joined');
  await first.close();
  await Promise.all([alice.waitClose(), bob.waitClose()]);

  const second = await startServer({ resumeSecret: 'shared' });
  try {
    const alice2 = await joined(second, 'res-5', 'alice', resumeOf(alice, 1));
    assert.equal(alice2.welcome.id, alice.welcome.id);
    assert.equal(alice2.welcome.resumed, true);
    assert.equal(alice2.welcome.restored, true, 'the token predates this process');
    assert.equal(alice2.welcome.ack, 0, 'a new process has processed nothing');
    assert.deepEqual(alice2.welcome.peers, []);
    const bob2 = await joined(second, 'res-5', 'bob', resumeOf(bob, 0));
    assert.equal(bob2.welcome.id, bob.welcome.id);
    assert.deepEqual(bob2.welcome.peers, [{ id: alice.welcome.id, name: 'alice' }]);
    // alice had processed #1, so the new process continues at #2 instead of restarting at 1.
    assert.deepEqual(await alice2.next('peer-joined'), { type: 'peer-joined', seq: 2, peer: { id: bob.welcome.id, name: 'bob' } });
    bob2.send({ type: 'signal', to: alice.welcome.id, seq: 1, data: OFFER });
    assert.deepEqual(await alice2.next('signal'), { type: 'signal', seq: 3, from: bob.welcome.id, data: OFFER });
    await Promise.all([alice2.close(), bob2.close()]);
  } finally {
    await second.close();
  }
});

test('Server_ATokenFromAnotherInstanceRunningSideBySideIsRestoredNotTakenForAnExpiredGrace', async () => {
  // Both instances run before the token is issued: only the issuer's name in the token (`iss`)
  // tells the second that it did not issue it (a client failing over, README "Several endpoints").
  const first = await startServer({ resumeSecret: 'shared' });
  const second = await startServer({ resumeSecret: 'shared' });
  try {
    const alice = await joined(first, 'res-side', 'alice');
    await first.close();
    await alice.waitClose();
    const back = await joined(second, 'res-side', 'alice', resumeOf(alice, 0));
    assert.equal(back.welcome.id, alice.welcome.id);
    assert.equal(back.welcome.resumed, true);
    assert.equal(back.welcome.restored, true);
    await back.close();
  } finally {
    await second.close();
  }
});

test('Server_ResumeTokenFromAnotherSecretStartsAFreshSession', async () => {
  const first = await startServer({ resumeSecret: 'one' });
  const alice = await joined(first, 'res-6', 'alice');
  await first.close();
  const second = await startServer({ resumeSecret: 'two' });
  try {
    const again = await joined(second, 'res-6', 'alice', resumeOf(alice, 0));
    assert.equal(again.welcome.resumed, false);
    assert.notEqual(again.welcome.id, alice.welcome.id);
    await again.close();
  } finally {
    await second.close();
  }
});

test('Server_ResumeTokenIsBoundToItsRoom', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const alice = await joined(server, 'res-7', 'alice');
  const elsewhere = await joined(server, 'res-7-b', 'alice', resumeOf(alice, 0));
  assert.equal(elsewhere.welcome.resumed, false);
  assert.notEqual(elsewhere.welcome.id, alice.welcome.id);
  await Promise.all([alice.close(), elsewhere.close()]);
});

test('Server_ResumeTakesOverAStillOpenSocketWithoutAnnouncements', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const alice = await joined(server, 'res-8', 'alice');
  const bob = await joined(server, 'res-8', 'bob');
  await alice.next('peer-joined');
  const second = await joined(server, 'res-8', 'bob', resumeOf(bob, 0));
  assert.equal(second.welcome.id, bob.welcome.id);
  assert.equal((await bob.waitClose()).code, 4001);
  await alice.expectNothing((m) => m.type === 'peer-left' || m.type === 'peer-joined');
  await Promise.all([alice.close(), second.close()]);
});

test('Server_GeneratedResumeKeyIsKeptInAFileAndReused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rtc-resume-'));
  const keyFile = join(dir, '.rtc-signaling', 'resume.key');
  try {
    const first = await startServer({ resumeSecret: null, resumeKeyFile: keyFile });
    const alice = await joined(first, 'res-9', 'alice');
    await first.close();
    assert.ok((await readFile(keyFile, 'utf8')).trim().length >= 32);
    const second = await startServer({ resumeSecret: null, resumeKeyFile: keyFile });
    try {
      const again = await joined(second, 'res-9', 'alice', resumeOf(alice, 0));
      assert.equal(again.welcome.resumed, true);
      assert.equal(again.welcome.id, alice.welcome.id);
      await again.close();
    } finally {
      await second.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
