// The chaos scenario of tests/node/reliability_chaos.test.js across a cluster: four wasm clients
// with real WebRTC on three reference server instances sharing one redis-server; every 2-5 s a
// random instance is SIGKILLed and started again, for 60 s, while ICE restarts keep signals
// flowing and every pair streams data at 10 messages/s. a and b signal each other in-band, c and
// d through the servers. One accounting ledger is shared by the proxies in front of the
// instances, so a signal written to one instance and delivered by another is matched.
import '../../node/helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeAll } from '../../node/helpers/clients.js';
import { installTrackedWebRtc } from '../../node/helpers/webrtc.js';
import {
  allConnected,
  allOpen,
  appliedAllRelayed,
  dataStreams,
  iceRestarts,
  inBandAppliedOnce,
  mesh,
  random,
  waitFor,
} from '../../node/proxy/scenario.js';
import { ringUrls, startCluster } from './helpers/redis.js';

const CHAOS_MS = Number(process.env.RTC_CHAOS_MS ?? 60_000);

let cluster;
before(async () => {
  await installTrackedWebRtc();
  cluster = await startCluster(3, ['--rate', '1000', '--grace-ms', '20000']);
});
after(() => cluster?.close());

test('Cluster_ChaosMeshLosesNothingAcrossKilledInstances', { timeout: CHAOS_MS + 120_000 }, async (t) => {
  const seed = Number(process.env.RTC_CHAOS_SEED ?? Date.now() % 100_000);
  const rand = random(seed);
  const { urls, proxies, instances } = cluster;
  const names = ['a', 'b', 'c', 'd'];
  const watched = await mesh(names, { room: 'cluster-chaos' }, (name) => ({
    url: ringUrls(urls, names.indexOf(name) % urls.length),
    ...(name === 'a' || name === 'b' ? {} : { inBandSignaling: false }),
  }));
  const ids = watched.map((w) => w.id);
  const streams = dataStreams(watched, 10);
  const restarter = iceRestarts(watched, rand);
  let running = true;
  t.after(() => {
    running = false;
    restarter.stop();
    streams.stop();
    return closeAll(...watched.map((w) => w.client));
  });

  let kills = 0;
  let killedWithClients = 0;
  const stopAt = Date.now() + CHAOS_MS;
  while (running && Date.now() < stopAt) {
    const wait = 2000 + rand() * 3000;
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, Math.max(0, stopAt - Date.now()))));
    if (Date.now() >= stopAt) break;
    const i = Math.floor(rand() * instances.length);
    if (proxies[i].live({ joined: true }).length > 0) killedWithClients++;
    await instances[i].stop(); // SIGKILL
    kills++;
    // Down for 0.2-1.5 s, then the same port again (a supervisor restarting it).
    await new Promise((resolve) => setTimeout(resolve, 200 + rand() * 1300));
    await instances[i].restart();
  }
  restarter.stop();

  const ledger = cluster.ledger();
  await waitFor(() => allOpen(watched), 20_000, 'every client open again');
  await waitFor(() => allConnected(watched), 30_000, 'every pair connected');
  streams.stop();
  await waitFor(() => streams.allArrived(), 15_000, 'every data message delivered');
  await waitFor(() => ledger.match().lost.length === 0, 15_000, 'every signal delivered').catch((error) => {
    throw new Error(`${error.message}: ${JSON.stringify(ledger.lostDetail()).slice(0, 2000)}`);
  });
  await appliedAllRelayed(watched, ledger);
  const [wa, wb] = watched;
  await inBandAppliedOnce(wa, wb);

  const m = ledger.match();
  const applied = watched.reduce((n, w) => n + w.client.stats.signalsReceived, 0);
  const reconnects = watched.reduce((n, w) => n + w.reconnects, 0);
  console.log(
    `[cluster-chaos] seed=${seed} ${CHAOS_MS / 1000}s instance_kills=${kills} (with clients on it: ${killedWithClients}) ` +
      `reconnects=${reconnects} welcomes=${JSON.stringify(ledger.welcomes)} ice_restarts_requested=${restarter.count}\n` +
      `[cluster-chaos] signals sent=${m.sent} (frames ${m.sentFrames}, resent ${m.resends}) delivered=${m.delivered} ` +
      `(server replays ${m.replays}, duplicate frames reaching clients ${m.socketDuplicates}) applied_by_cores=${applied} ` +
      `lost=${m.lost.length} duplicated=${m.duplicated.length}\n` +
      `[cluster-chaos] data sent=${streams.sentTotal()} received=${streams.receivedTotal()} ` +
      `refused_while_closed=${streams.refused} order_violations=${streams.violations.length}`,
  );

  assert.ok(kills >= Math.floor(CHAOS_MS / 7000), `only ${kills} kills`);
  assert.ok(killedWithClients > 0, 'no kill hit an instance holding clients');
  for (const w of watched) {
    assert.equal(w.closedStates, 0, `${w.id} ended closed`);
    assert.deepEqual(w.left, [], `${w.id} saw a peer leave`);
    assert.deepEqual(w.badPeerStates, [], `${w.id} had a connection fail or close`);
    assert.deepEqual(w.client.peers.map((p) => p.id).sort(), ids.filter((id) => id !== w.id).sort());
    // A retry may reach a killed instance's proxy (502) before moving on to the next endpoint.
    const unexpected = w.errors.filter((e) => e.code !== 'server-error' && e.code !== 'connect-failed');
    assert.deepEqual(unexpected, [], `${w.id} errors`);
  }
  assert.deepEqual(ids, watched.map((w) => w.client.id), 'ids survive every kill');
  assert.equal(ledger.welcomes.fresh, 4, 'every kill was resumed, none restarted a session');
  assert.deepEqual(m.lost, [], 'signals lost');
  assert.deepEqual(m.duplicated, [], 'signals relayed twice');
  assert.equal(applied, m.delivered, 'each distinct relayed signal applied exactly once');
  assert.ok(m.sent > 50, `too little signaling to prove anything: ${m.sent}`);
  assert.deepEqual(streams.violations, [], 'data arrived out of order or twice');
  assert.ok(streams.sentTotal() >= 12 * 10 * (CHAOS_MS / 1000) * 0.5, 'data kept flowing');
});
