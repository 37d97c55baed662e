// Cluster mode (README.md#running-several-servers): three reference server instances on one
// real redis-server, six wasm clients with real WebRTC spread over them in one room. Each
// instance sits behind its own accounting proxy (tests/node/proxy), all sharing one ledger, so
// exactly-once is counted across instances. Then an instance is SIGKILLed mid-call: its clients
// resume on the others with their ids, nothing lost or applied twice, calls intact.
import '../../node/helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeAll } from '../../node/helpers/clients.js';
import { installTrackedWebRtc } from '../../node/helpers/webrtc.js';
import { allConnected, allOpen, assertCallsIntact, dataStreams, mesh, waitFor } from '../../node/proxy/scenario.js';
import { ringUrls, startCluster } from './helpers/redis.js';

let cluster;
before(async () => {
  await installTrackedWebRtc();
  cluster = await startCluster(3, ['--rate', '1000']);
});
after(() => cluster?.close());

/** Which instance (index) each client id is joined through right now. */
function placement() {
  const where = new Map();
  cluster.proxies.forEach((p, i) => {
    for (const c of p.live({ joined: true })) where.set(c.peerId, i);
  });
  return where;
}

test('Cluster_SixClientsOnThreeInstancesMeshAndSurviveAKilledInstance', { timeout: 150_000 }, async (t) => {
  const { urls, proxies, instances } = cluster;
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const watched = await mesh(names, { room: 'cluster' }, (name) => ({ url: ringUrls(urls, names.indexOf(name) % 3) }));
  t.after(() => closeAll(...watched.map((w) => w.client)));
  const ids = watched.map((w) => w.id);

  // Spread: two clients per instance, each seeing the five others.
  const where = placement();
  assert.deepEqual(
    [0, 1, 2].map((i) => ids.filter((id) => where.get(id) === i).length),
    [2, 2, 2],
    'two clients joined through each instance',
  );
  for (const w of watched) assert.equal(w.client.peers.length, 5, `${w.id} sees everyone`);
  await waitFor(() => allConnected(watched), 30_000, 'every pair connected');

  const streams = dataStreams(watched, 5);
  t.after(() => streams.stop());
  await waitFor(() => streams.receivedTotal() >= 30 * 5, 20_000, 'data flowing both ways on every pair');

  // SIGKILL instance 0 mid-call, with ICE restarts in flight so signals cross the failover.
  const victims = ids.filter((id) => where.get(id) === 0);
  for (const w of watched) w.client.restartIce(ids[(ids.indexOf(w.id) + 1) % ids.length]);
  await instances[0].stop();
  await waitFor(() => victims.every((id) => placement().get(id) > 0), 20_000, 'the killed instance\'s clients moved');
  await waitFor(() => allOpen(watched), 20_000, 'every client open');
  for (const w of watched) w.client.restartIce(ids[(ids.indexOf(w.id) + 2) % ids.length]);
  await waitFor(() => allConnected(watched), 30_000, 'every pair connected after the failover');
  await waitFor(() => cluster.ledger().match().lost.length === 0, 15_000, 'every signal delivered').catch((error) => {
    throw new Error(`${error.message}: ${JSON.stringify(cluster.ledger().lostDetail()).slice(0, 2000)}`);
  });
  await instances[0].restart();

  const m = cluster.ledger().match();
  const applied = watched.reduce((n, w) => n + w.client.stats.signalsReceived, 0);
  console.log(
    `[cluster] victims=${victims.length} welcomes=${JSON.stringify(cluster.ledger().welcomes)} ` +
      `signals sent=${m.sent} delivered=${m.delivered} applied_by_cores=${applied} lost=${m.lost.length} ` +
      `duplicated=${m.duplicated.length} data sent=${streams.sentTotal()} received=${streams.receivedTotal()}`,
  );
  assert.deepEqual(ids, watched.map((w) => w.client.id), 'every client kept its id');
  assert.equal(cluster.ledger().welcomes.fresh, 6, 'the failover resumed sessions, it started none');
  assert.ok(cluster.ledger().welcomes.resumed >= victims.length, 'the victims resumed on another instance');
  assert.deepEqual(m.lost, [], 'signals lost');
  assert.deepEqual(m.duplicated, [], 'signals relayed twice');
  await waitFor(
    () => watched.reduce((n, w) => n + w.client.stats.signalsReceived, 0) === cluster.ledger().match().delivered,
    10_000,
    'each relayed signal applied exactly once',
  );
  for (const w of watched) {
    assert.deepEqual(w.client.peers.map((p) => p.id).sort(), ids.filter((id) => id !== w.id).sort());
    // A victim's first retry reaches the dead instance's proxy (502) before it moves on.
    const expected = new Set(['server-error', ...(victims.includes(w.id) ? ['connect-failed'] : [])]);
    assert.deepEqual(w.errors.filter((e) => !expected.has(e.code)), [], `${w.id} errors`);
  }
  await assertCallsIntact(streams, watched);
});
