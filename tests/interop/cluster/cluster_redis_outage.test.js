// Redis restarted mid-call under a two-instance cluster (README.md#running-several-servers),
// first without its data, then with it.
//
// Without:
// the instances keep their sockets and the calls go on; a join meanwhile is refused with the
// documented error (`server-error`, "unavailable: ..."); when Redis is back (empty: no
// persistence) every instance closes its sockets with 1012, the clients resume with their tokens
// (`restored`: same ids, calls kept), and the refused newcomer joins. As after a restart of a
// single-process server, a restored client drops the signals the lost state never acked (the
// ICE restart held during the outage) and repairs those negotiations instead of resending: no
// signal is applied twice, and every pair ends connected.
//
// With its data (SHUTDOWN SAVE, then the same port and directory): no socket is closed; the ICE
// restarts sent meanwhile wait on their instances and are relayed once Redis answers, each
// applied exactly once; the newcomer refused meanwhile joins.
import '../../node/helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeAll, connectFast } from '../../node/helpers/clients.js';
import { installTrackedWebRtc } from '../../node/helpers/webrtc.js';
import { Accounting } from '../../node/proxy/proxy.js';
import {
  allConnected,
  allOpen,
  assertCallsIntact,
  dataStreams,
  mesh,
  relayedTo,
  waitFor,
  watch,
} from '../../node/proxy/scenario.js';
import { ringUrls, startCluster, stopRedisSaving } from './helpers/redis.js';

let cluster;
before(async () => {
  await installTrackedWebRtc();
  cluster = await startCluster(2, ['--rate', '1000']);
});
after(() => cluster?.close());

test('Cluster_RedisRestartKeepsCallsRefusesJoinsThenRecovers', { timeout: 120_000 }, async (t) => {
  const { urls, redis } = cluster;
  const names = ['a', 'b', 'c'];
  const watched = await mesh(names, { room: 'outage' }, (name) => ({
    url: ringUrls(urls, names.indexOf(name) % 2),
    inBandSignaling: false, // every signal through the servers, so the held one is one of ours
  }));
  t.after(() => closeAll(...watched.map((w) => w.client)));
  const ids = watched.map((w) => w.id);
  await waitFor(() => allConnected(watched), 30_000, 'every pair connected');
  const streams = dataStreams(watched, 10);
  t.after(() => streams.stop());

  await redis.stop(); // SIGKILL
  // Calls go on, and the sockets stay: pings are answered without Redis.
  const before = streams.receivedTotal();
  await waitFor(() => streams.receivedTotal() >= before + 60, 15_000, 'data flowing while redis is down');
  assert.ok(allOpen(watched), 'the instances kept their sockets');

  // A join meanwhile is refused with the documented error, and retried.
  const refusals = [];
  const newcomer = connectFast({
    url: urls[1],
    room: 'outage',
    name: 'd',
    inBandSignaling: false,
    connectTimeoutMs: 60_000,
    on: { error: (e) => refusals.push(e) },
  });
  t.after(async () => closeAll(await newcomer.catch(() => null)));
  await waitFor(() => refusals.some((e) => e.code === 'server-error'), 15_000, 'the newcomer refused');
  const refusal = refusals.find((e) => e.code === 'server-error');
  assert.match(refusal.message, /^unavailable: the signaling store \(redis\) is unavailable/);
  assert.equal(refusal.fatal, false);

  // A signal during the outage waits on its instance; Redis returns without the session, so the
  // client's repair (not a resend) completes this ICE restart.
  watched[0].client.restartIce(ids[1]);

  await redis.start(); // same port, no data
  const d = watch(await newcomer);
  const all = [...watched, d];
  await waitFor(() => allOpen(all), 20_000, 'everyone open after redis returned');
  await waitFor(
    () => all.every((w) => w.client.peers.length === 3) && allConnected(all),
    30_000,
    'the newcomer meshed with everyone',
  ).catch((error) => {
    const seen = all.map((w) => `${w.id} ${w.client.state} peers=${w.client.peers.map((p) => `${p.id}:${p.state}`)}`);
    throw new Error(`${error.message} (${seen.join('; ')})`);
  });
  const ledger = cluster.ledger();
  const m = ledger.match();
  console.log(
    `[cluster-redis] welcomes=${JSON.stringify(ledger.welcomes)} refusals=${refusals.length} ` +
      `signals sent=${m.sent} delivered=${m.delivered} dropped_by_restored_clients=${m.lost.length} duplicated=${m.duplicated.length}`,
  );
  assert.deepEqual(ids, watched.map((w) => w.client.id), 'ids kept across the redis restart');
  assert.ok(ledger.welcomes.restored >= 3, 'the sessions were restored from their tokens');
  assert.equal(ledger.welcomes.fresh, 4, 'a, b, c and the newcomer: no session restarted');
  assert.deepEqual(m.duplicated, [], 'no signal relayed twice');
  for (const w of watched) {
    assert.deepEqual(w.errors.filter((e) => e.code !== 'server-error'), [], `${w.id} errors`);
  }
  await assertCallsIntact(streams, watched);
});

test('Cluster_RedisBackWithItsDataAppliesWhatWaitedAndLosesNothing', { timeout: 120_000 }, async (t) => {
  const { urls, redis } = cluster;
  const names = ['e', 'f', 'g'];
  const watched = await mesh(names, { room: 'outage-saved' }, (name) => ({
    url: ringUrls(urls, names.indexOf(name) % 2),
    inBandSignaling: false,
  }));
  t.after(() => closeAll(...watched.map((w) => w.client)));
  const ids = watched.map((w) => w.id);
  await waitFor(() => allConnected(watched), 30_000, 'every pair connected');
  const streams = dataStreams(watched, 10);
  t.after(() => streams.stop());
  // Quiet first: every signal of the setup delivered and applied (the first test's restored
  // clients dropped theirs on purpose, so only this room's are counted). Then a fresh ledger.
  const setup = cluster.ledger();
  const sentHere = () => [...setup.sent.values()].filter((e) => ids.includes(e.from)).length;
  const deliveredHere = () => [...setup.delivered.values()].filter((d) => ids.includes(d.to)).length;
  await waitFor(
    () => sentHere() === deliveredHere() && watched.every((w) => w.client.stats.signalsReceived === relayedTo(setup, w.id)),
    15_000,
    'the setup signals all applied',
  );
  const ledger = new Accounting();
  cluster.setLedger(ledger);
  const appliedAtStart = watched.map((w) => w.client.stats.signalsReceived);

  await stopRedisSaving(redis);
  // ICE restarts across instances while Redis is away: their signals wait, unacknowledged.
  watched[0].client.restartIce(ids[1]);
  watched[2].client.restartIce(ids[0]);
  const refusals = [];
  const newcomer = connectFast({ url: urls[0], room: 'outage-saved', name: 'h', inBandSignaling: false,
    connectTimeoutMs: 60_000, on: { error: (e) => refusals.push(e) } });
  t.after(async () => closeAll(await newcomer.catch(() => null)));
  await waitFor(() => refusals.filter((e) => e.code === 'server-error').length >= 3, 20_000, 'the newcomer refused 3 times');
  assert.deepEqual(watched.map((w) => w.client.stats.signalsReceived), appliedAtStart, 'nothing relayed without Redis');

  await redis.start(); // loads what SHUTDOWN SAVE wrote
  const h = watch(await newcomer);
  const all = [...watched, h];
  await waitFor(() => all.every((w) => w.client.peers.length === 3) && allConnected(all), 30_000, 'the newcomer meshed');
  await waitFor(() => ledger.match().lost.length === 0, 15_000, 'every waiting signal delivered').catch((error) => {
    throw new Error(`${error.message}: ${JSON.stringify(ledger.lostDetail()).slice(0, 2000)}`);
  });
  const m = ledger.match();
  console.log(
    `[cluster-redis-saved] refusals=${refusals.length} welcomes=${JSON.stringify(ledger.welcomes)} ` +
      `signals sent=${m.sent} delivered=${m.delivered} lost=${m.lost.length} duplicated=${m.duplicated.length}`,
  );
  assert.equal(ledger.welcomes.total, 1, 'no socket was closed: only the newcomer joined');
  assert.deepEqual(m.lost, [], 'signals lost');
  assert.deepEqual(m.duplicated, [], 'signals relayed twice');
  await waitFor(
    () => watched.every((w, i) => w.client.stats.signalsReceived - appliedAtStart[i] === relayedTo(ledger, w.id)),
    10_000,
    'each relayed signal applied once',
  );
  for (const w of watched) assert.deepEqual(w.errors, [], `${w.id} errors`);
  await assertCallsIntact(streams, watched);
});
