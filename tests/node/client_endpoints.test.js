// Several endpoints in `url` (README.md#api): two reference servers sharing a resume secret,
// clients with both in their list, real WebRTC (@roamhq/wrtc). The first server is killed; the
// clients fail over to the second without a load balancer, keep their ids, keep the call, and
// signal through the second (in-band signaling is off here, so the ICE restart proves it); a
// newcomer on the second server meets both.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeAll, connectFast } from './helpers/clients.js';
import { installTrackedWebRtc } from './helpers/webrtc.js';
import { startServer } from './helpers/server.js';
import { allConnected, allOpen, assertCallsIntact, dataStreams, mesh, waitFor, watch } from './proxy/scenario.js';

let first;
let second;
before(async () => {
  await installTrackedWebRtc();
  const flags = ['--rate', '1000', '--resume-secret', 'endpoints-test-secret'];
  first = await startServer(flags);
  second = await startServer(flags);
});
after(async () => {
  await first?.stop();
  await second?.stop();
});

test('Endpoints_ClientsFailOverToTheNextUrlWithTheirIdsAndTheCallKeepsGoing', { timeout: 60_000 }, async (t) => {
  const options = { url: [first.url, second.url], room: 'failover', inBandSignaling: false };
  const [a, b] = await mesh(['a', 'b'], options);
  const ids = [a.id, b.id];
  const streams = dataStreams([a, b], 10);
  let c;
  t.after(() => {
    streams.stop();
    return closeAll(a.client, b.client, c?.client);
  });

  const killedAt = Date.now();
  await first.stop(); // SIGKILL
  await waitFor(() => [a, b].every((w) => w.reconnects > 0), 15_000, 'both notice');
  await waitFor(() => allOpen([a, b]), 20_000, 'both open again, on the second server');
  const failoverMs = Date.now() - killedAt;
  assert.deepEqual([a.client.id, b.client.id], ids, 'same ids on the other server');
  const atOpen = streams.receivedTotal();
  await waitFor(() => streams.receivedTotal() >= atOpen + 20, 10_000, 'data keeps flowing');

  // Signaling goes through the second server now.
  const applied = b.client.stats.signalsReceived;
  a.client.restartIce(b.id);
  await waitFor(() => b.client.stats.signalsReceived > applied, 10_000, 'b applies a signal relayed by the second server');
  await waitFor(() => allConnected([a, b]), 15_000, 'connected after the restart');

  c = watch(await connectFast({ url: second.url, room: 'failover', name: 'c' }));
  await waitFor(() => allConnected([a, b, c]), 30_000, 'a newcomer on the second server meets both');
  await assertCallsIntact(streams, [a, b]);
  console.log(
    `[endpoints] open on the second server ${failoverMs} ms after the first was killed; ` +
      `data sent=${streams.sentTotal()} received=${streams.receivedTotal()}`,
  );
});
