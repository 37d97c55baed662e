// Signaling outages with real WebRTC behind the fault-injecting proxy: a half-open socket found by
// the heartbeat, and a server killed and restarted with the same resume secret while a call
// carries data.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeAll, connectFast } from './helpers/clients.js';
import { once } from './helpers/events.js';
import { connections, installTrackedWebRtc, ufrag, untilConnections } from './helpers/webrtc.js';
import { startServer } from './helpers/server.js';
import { startProxy } from './proxy/proxy.js';
import { allConnected, allOpen, assertCallsIntact, dataStreams, mesh, waitFor, watch } from './proxy/scenario.js';

let server;
let proxy;
before(async () => {
  await installTrackedWebRtc();
  server = await startServer(['--rate', '1000', '--resume-secret', 'outage-test-secret']);
  proxy = await startProxy({ target: () => server.url });
});
after(async () => {
  await proxy?.close();
  await server?.stop();
});

test('Reliability_HalfOpenSocketIsDetectedWithinServerTimeoutAndResumed', { timeout: 60_000 }, async (t) => {
  const SERVER_TIMEOUT = 3000;
  // The ICE restart at the end proves the server route works again, so it must not go in-band.
  const options = {
    url: proxy.url,
    room: 'half-open',
    pingIntervalMs: 1000,
    serverTimeoutMs: SERVER_TIMEOUT,
    inBandSignaling: false,
  };
  const [a, b] = await mesh(['a', 'b'], options);
  const streams = dataStreams([a, b], 10);
  t.after(() => {
    streams.stop();
    return closeAll(a.client, b.client);
  });
  const conn = proxy.connectionOf(a.id);
  assert.ok(conn, 'a is connected through the proxy');
  const welcomesBefore = proxy.stats.welcomes.resumed;

  const reconnecting = once(a.client, 'reconnecting', () => true, SERVER_TIMEOUT + 10_000);
  const receivedAtStall = streams.receivedTotal();
  const stalledAt = Date.now();
  proxy.stall(conn); // no FIN, no RST: frames just stop both ways
  await reconnecting;
  const detectedAfter = Date.now() - stalledAt;
  // The timer restarts on every incoming frame (a pong at most one ping interval before the
  // stall), so detection lands in (timeout - ping interval, timeout] plus scheduling slack.
  assert.ok(detectedAfter <= SERVER_TIMEOUT + 2000, `detected after ${detectedAfter} ms`);
  assert.ok(detectedAfter >= SERVER_TIMEOUT - 1000 - 100, `detected too early: ${detectedAfter} ms`);
  assert.ok(streams.receivedTotal() > receivedAtStall, 'data kept flowing while signaling was stalled');

  await waitFor(() => allOpen([a, b]), 10_000, 'a open again');
  assert.equal(proxy.stats.welcomes.resumed, welcomesBefore + 1, 'a resumed its session');
  assert.equal(a.client.id, a.id);
  assert.ok(conn.closed, 'the server replaced the half-open socket when a resumed');

  // Signaling works again: an ICE restart round-trips and the call stays up.
  const applied = b.client.stats.signalsReceived;
  a.client.restartIce(b.id);
  await waitFor(() => b.client.stats.signalsReceived > applied, 10_000, 'b applies a new signal');
  await waitFor(() => allConnected([a, b]), 15_000, 'a and b connected');
  streams.stop();
  await waitFor(() => streams.allArrived(), 10_000, 'every data message delivered');
  assert.deepEqual(streams.violations, []);
  for (const w of [a, b]) {
    assert.deepEqual(w.left, []);
    assert.deepEqual(w.badPeerStates, []);
  }
  console.log(`[half-open] detected after ${detectedAfter} ms (server_timeout_ms ${SERVER_TIMEOUT})`);
  await closeAll(a.client, b.client);
});

test('Reliability_ServerRestartKeepsIdsAndCallsAndANewcomerConnectsToEveryone', { timeout: 90_000 }, async (t) => {
  const options = { url: proxy.url, room: 'restart' };
  const [a, b] = await mesh(['a', 'b'], options);
  const ids = [a.id, b.id];
  const streams = dataStreams([a, b], 10);
  t.after(() => {
    streams.stop();
    return closeAll(a.client, b.client);
  });
  const restoredBefore = proxy.stats.welcomes.restored;

  const down = [a, b].map((w) => once(w.client, 'reconnecting', () => true, 15_000));
  await server.stop(); // SIGKILL: no close frames, like a crash
  await Promise.all(down);

  // The outage lasts until data has visibly flowed peer-to-peer without any server.
  const atKill = streams.receivedTotal();
  await waitFor(() => streams.receivedTotal() >= atKill + 40, 15_000, 'data flowing during the outage');
  const duringOutage = streams.receivedTotal() - atKill;
  for (const w of [a, b]) {
    // Between attempts or in one (connecting) that the dead server will fail.
    assert.ok(['reconnecting', 'connecting'].includes(w.client.state), w.client.state);
    assert.equal(w.client.peers.length, 1, 'the peer stays in the roster during the outage');
  }

  await server.restart(); // same port, same resume secret
  await waitFor(() => allOpen([a, b]), 20_000, 'both open again');
  assert.deepEqual([a.client.id, b.client.id], ids, 'ids survive the restart');
  assert.equal(proxy.stats.welcomes.restored, restoredBefore + 2, 'both sessions restored from tokens');
  await waitFor(
    () => a.client.peers.length === 1 && b.client.peers.length === 1,
    10_000,
    'each sees the other',
  );

  const c = watch(await connectFast({ ...options, name: 'c' }));
  t.after(() => closeAll(c.client));
  await waitFor(() => allConnected([a, b, c]), 30_000, 'the newcomer connects to everyone');
  await assertCallsIntact(streams, [a, b]);
  const got = once(c.client, 'data', (m) => m.id === a.id && m.data === 'hello c', 5000);
  a.client.send(c.id, 'hello c');
  await got;
  console.log(
    `[restart] data messages received while the server was down: ${duringOutage}; ` +
      `data sent=${streams.sentTotal()} received=${streams.receivedTotal()}`,
  );
  await closeAll(a.client, b.client, c.client);
});

test('Reliability_OfferLostWithTheServerIsCompletedAfterRestart', { timeout: 90_000 }, async (t) => {
  // The offer must travel (and be lost) with the server, not on the connection's own channel.
  const options = { url: proxy.url, room: 'lost-offer', inBandSignaling: false };
  const first = connections.length;
  const [a, b] = await mesh(['a', 'b'], options);
  t.after(() => closeAll(a.client, b.client));
  const pcs = connections.slice(first);
  assert.equal(pcs.length, 2);

  // a starts an ICE restart; its offer leaves a but dies in the network with the server. (The
  // initial gathering's last candidates may still be on their way: they pass.)
  const lost = proxy.stallOnNextSignal(proxy.connectionOf(a.id), 'up', (m) => m.data?.description?.type === 'offer');
  a.client.restartIce(b.id);
  const offer = await lost;
  assert.equal(offer.data.description?.type, 'offer');
  const offering = pcs.find((pc) => pc.signalingState === 'have-local-offer');
  assert.ok(offering, "a's connection waits for an answer");
  const restartUfrag = ufrag(offering.appliedLocal);
  const other = pcs.find((pc) => pc !== offering);
  assert.notEqual(ufrag(other.appliedRemote), restartUfrag);
  await server.stop();
  await Promise.all([a, b].map((w) => once(w.client, 'reconnecting', () => true, 15_000)));
  await server.restart();
  await waitFor(() => allOpen([a, b]), 20_000, 'both open again');

  // The restored session repairs the stalled negotiation: the same offer goes out again.
  await untilConnections(
    pcs,
    () => pcs.every((pc) => pc.signalingState === 'stable') && ufrag(other.appliedRemote) === restartUfrag,
    20_000,
    'the interrupted offer/answer completes',
  );
  assert.equal(ufrag(offering.appliedLocal), restartUfrag, 'the interrupted ICE restart completed');
  await waitFor(() => allConnected([a, b]), 20_000, 'a and b connected');
  for (const w of [a, b]) {
    assert.deepEqual(w.left, []);
    assert.deepEqual(w.errors.filter((e) => e.code === 'negotiation-failed'), []);
  }
  await closeAll(a.client, b.client);
});
