// Four wasm clients with real WebRTC in a mesh, behind a proxy that cuts a random client's
// signaling socket every 2-5 s for 60 s, while ICE restarts keep signals flowing and every pair
// streams data at 10 messages/s. Exactly-once is checked at the proxy (see proxy.js:
// Accounting) and in the core (stats.signalsReceived counts what the core applied after its seq
// dedupe, compared with the distinct signals the server relayed to that client). a and b signal
// each other in-band (README.md#calls-without-a-server); c and d have it off, so every pair but
// a-b goes through the server and the cuts, and a-b's channel signals are counted both ends.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeAll } from './helpers/clients.js';
import { installTrackedWebRtc } from './helpers/webrtc.js';
import { startServer } from './helpers/server.js';
import { startProxy } from './proxy/proxy.js';
import {
  allConnected,
  allOpen,
  appliedAllRelayed,
  dataStreams,
  iceRestarts,
  inBandAppliedOnce,
  inBandCounts,
  mesh,
  random,
  waitFor,
} from './proxy/scenario.js';

const CHAOS_MS = Number(process.env.RTC_CHAOS_MS ?? 60_000);

let server;
let proxy;
before(async () => {
  await installTrackedWebRtc();
  // ICE restarts send bursts of candidates; this scenario tests resume, not the rate limit.
  server = await startServer(['--rate', '1000', '--grace-ms', '20000']);
  proxy = await startProxy({ target: () => server.url });
});
after(async () => {
  await proxy?.close();
  await server?.stop();
});

test('Reliability_ChaosMeshLosesNothingAcrossRandomCuts', { timeout: CHAOS_MS + 90_000 }, async (t) => {
  const seed = Number(process.env.RTC_CHAOS_SEED ?? Date.now() % 100_000);
  const rand = random(seed);
  const watched = await mesh(['a', 'b', 'c', 'd'], { url: proxy.url, room: 'chaos' }, (name) =>
    name === 'a' || name === 'b' ? {} : { inBandSignaling: false },
  );
  const ids = watched.map((w) => w.id);
  const streams = dataStreams(watched, 10);
  // A slow link keeps frames and their acks in flight when a cut lands, so resends and replays
  // happen; acks, pings and pongs may also be overtaken by the next frame (see proxy.js).
  proxy.setDelay(40);
  proxy.setReorder(true);

  let cuts = 0;
  let inFlightCuts = 0;
  let running = true;
  const stopAt = Date.now() + CHAOS_MS;
  const cutter = (async () => {
    while (running && Date.now() < stopAt) {
      const wait = 2000 + rand() * 3000;
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, Math.max(0, stopAt - Date.now()))));
      if (!running || Date.now() >= stopAt) break;
      const live = proxy.live({ joined: true });
      if (live.length === 0) continue;
      const victim = live[Math.floor(rand() * live.length)];
      // Half the cuts land right behind a signal, so it is in flight with its ack still to come.
      if (rand() < 0.5) {
        if (await proxy.cutOnNextSignal(victim, rand() < 0.5 ? 'up' : 'down')) inFlightCuts++;
      } else {
        proxy.cut(victim);
      }
      cuts++;
    }
  })();
  // Signaling traffic during the cuts: an ICE restart on a random pair about every 700 ms.
  const restarter = iceRestarts(watched, rand);
  t.after(() => {
    running = false;
    restarter.stop();
    streams.stop();
    return closeAll(...watched.map((w) => w.client));
  });

  await cutter;
  running = false;
  restarter.stop();

  // Quiesce: everyone back, every pair connected, every signal and message accounted for.
  await waitFor(() => allOpen(watched), 20_000, 'every client open again');
  await waitFor(() => allConnected(watched), 30_000, 'every pair connected');
  streams.stop();
  await waitFor(() => streams.allArrived(), 15_000, 'every data message delivered');
  await waitFor(() => proxy.stats.match().lost.length === 0, 15_000, 'every signal delivered').catch((error) => {
    const lost = proxy.stats.lostDetail();
    throw new Error(`${error.message}: ${JSON.stringify(lost).slice(0, 2000)}`);
  });
  await appliedAllRelayed(watched, proxy.stats);

  const [wa, wb] = watched;
  await inBandAppliedOnce(wa, wb);

  const m = proxy.stats.match();
  const applied = watched.reduce((n, w) => n + w.client.stats.signalsReceived, 0);
  const reconnects = watched.reduce((n, w) => n + w.reconnects, 0);
  console.log(
    `[chaos] seed=${seed} ${CHAOS_MS / 1000}s cuts=${cuts} (behind a signal: ${inFlightCuts}) reconnects=${reconnects} ` +
      `welcomes=${JSON.stringify(proxy.stats.welcomes)} ice_restarts_requested=${restarter.count}\n` +
      `[chaos] signals sent=${m.sent} (frames ${m.sentFrames}, resent ${m.resends}) ` +
      `delivered=${m.delivered} (server replays ${m.replays}, duplicate frames reaching clients ${m.socketDuplicates}) ` +
      `applied_by_cores=${applied} lost=${m.lost.length} duplicated=${m.duplicated.length}\n` +
      `[chaos] in-band a<->b: ${inBandCounts(wa, wb)}\n` +
      `[chaos] data sent=${streams.sentTotal()} received=${streams.receivedTotal()} ` +
      `refused_while_closed=${streams.refused} order_violations=${streams.violations.length}`,
  );

  // A cut waits up to 3 s for a signal to land behind, so 2-5 s apart becomes at most 8 s.
  assert.ok(cuts >= Math.floor(CHAOS_MS / 8000), `only ${cuts} cuts`);
  for (const w of watched) {
    assert.equal(w.closedStates, 0, `${w.id} ended closed`);
    assert.deepEqual(w.left, [], `${w.id} saw a peer leave`);
    assert.deepEqual(w.badPeerStates, [], `${w.id} had a connection fail or close`);
    assert.deepEqual(w.client.peers.map((p) => p.id).sort(), ids.filter((id) => id !== w.id).sort());
    assert.deepEqual(
      w.errors.filter((e) => e.code !== 'server-error'),
      [],
      `${w.id} errors`,
    );
  }
  assert.deepEqual(ids, watched.map((w) => w.client.id), 'ids survive every cut');
  assert.equal(proxy.stats.welcomes.fresh, 4, 'every cut was resumed, none restarted the session');
  assert.deepEqual(m.lost, [], 'signals lost');
  assert.deepEqual(m.duplicated, [], 'signals relayed twice');
  assert.equal(applied, m.delivered, 'each distinct relayed signal applied exactly once');
  assert.ok(m.sent > 50, `too little signaling to prove anything: ${m.sent}`);
  assert.ok(wa.client.stats.signalsSentInBand > 0 && wb.client.stats.signalsSentInBand > 0, 'a and b signaled in-band');
  for (const w of watched.slice(2)) {
    assert.equal(w.client.stats.signalsSentInBand + w.client.stats.signalsReceivedInBand, 0, `${w.id} has it off`);
  }
  assert.deepEqual(streams.violations, [], 'data arrived out of order or twice');
  // 12 directed pairs at 10/s; timers run late under CPU load, so only half is required.
  assert.ok(streams.sentTotal() >= 12 * 10 * (CHAOS_MS / 1000) * 0.5, 'data kept flowing');
});
