// Cluster mode figures (README.md#running-several-servers), each beside the single-process server
// measured in the same run, interleaved:
//   relay   signals/s relayed end to end by: one single-process server, one cluster instance,
//           three cluster instances (each sender and its receiver on different instances);
//           raw native-protocol clients in this process, acking like the SDK does
//   latency one-way signal latency (half a ping-pong round trip) single process vs across two
//           instances
//   failover  an SDK client (wasm, dist/) on an instance that is SIGKILLed: ms until it is `open`
//           again on the next endpoint of its url list, with the SDK's default backoff
// Prints one JSON line. node bench/cluster.mjs [--rounds N] [--frames N]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { freePort, kill, launch, ROOT, startSignaling as startServer, timed } from './lib/processes.mjs';
import { RawClient as Raw, candidate, streamPairs } from './lib/raw_client.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, frames: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 5);
const FRAMES = Number(values.frames ?? 4000); // per round, spread over the pairs
const PAIRS = 6;
const WINDOW = 64; // signals in flight per sender
const SECRET = 'bench-cluster-resume-secret-0123456789';

async function startRedis() {
  const port = await freePort();
  const { child } = await launch(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    /Ready to accept connections/,
  );
  return { child, url: `redis://127.0.0.1:${port}` };
}

const startSignaling = (flags, port = 0) => startServer(['--rate', '100000', '--resume-secret', SECRET, ...flags], port).then((s) => ({ ...s, flags }));

/** Signals/s delivered from PAIRS senders to their receivers; `place(i)` = [senderUrl, receiverUrl]. */
async function relayRound(place, room) {
  const pairs = [];
  for (let i = 0; i < PAIRS; i++) {
    const [su, ru] = place(i);
    const receiver = await Raw.open(ru, room, `r${i}`);
    const sender = await Raw.open(su, room, `s${i}`);
    pairs.push({ sender, receiver });
  }
  const perSec = await streamPairs(
    pairs.map(({ sender, receiver }) => [sender, receiver]),
    Math.floor(FRAMES / PAIRS),
    WINDOW,
  );
  for (const { sender, receiver } of pairs) {
    sender.close();
    receiver.close();
  }
  return perSec;
}

/** Median one-way ms over `n` ping-pongs between a (on urlA) and b (on urlB). */
async function latencyRound(urlA, urlB, room, n = 200) {
  const a = await Raw.open(urlA, room, 'a');
  const b = await Raw.open(urlB, room, 'b');
  b.onSignal = (m) => b.signal(a.id, m.data);
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise((resolve) => {
      a.onSignal = resolve;
      a.signal(b.id, candidate(i));
    });
    samples.push((performance.now() - t0) / 2);
  }
  a.close();
  b.close();
  samples.sort((x, y) => x - y);
  return samples[Math.floor(samples.length / 2)];
}

/** ms from SIGKILL of the client's instance to the SDK client `open` on the next endpoint. */
async function failoverRound(instances, room) {
  globalThis.WebSocket = WebSocket;
  const { connect } = await import(join(ROOT, 'dist/index.js'));
  const [first, second] = instances;
  const client = await connect({ url: [first.url, second.url], room, name: 'f', inBandSignaling: false });
  const reopened = new Promise((resolve) => {
    let lost = false;
    client.on('state', ({ state }) => {
      if (state !== 'open') lost = true;
      else if (lost) resolve(performance.now());
    });
  });
  const t0 = performance.now();
  await kill(first.child);
  const ms = (await reopened) - t0;
  await client.close();
  Object.assign(first, await startSignaling(first.flags, first.port));
  return ms;
}

const redis = await startRedis();
const single = await startSignaling([]);
const cluster = [];
for (let i = 0; i < 3; i++) cluster.push(await startSignaling(['--redis', redis.url]));
const result = { rounds: ROUNDS, frames: FRAMES, pairs: PAIRS, relay: { single: [], cluster1: [], cluster3: [] }, latency: { single: [], cluster: [] }, failover: [] };
try {
  for (let r = 0; r < ROUNDS; r++) {
    result.relay.single.push(await timed(relayRound(() => [single.url, single.url], `relay-s${r}`), 'relay single'));
    result.relay.cluster1.push(await timed(relayRound(() => [cluster[0].url, cluster[0].url], `relay-c1-${r}`), 'relay cluster1'));
    result.relay.cluster3.push(
      await timed(relayRound((i) => [cluster[i % 3].url, cluster[(i + 1) % 3].url], `relay-c3-${r}`), 'relay cluster3'),
    );
    result.latency.single.push(await timed(latencyRound(single.url, single.url, `lat-s${r}`), 'latency single'));
    result.latency.cluster.push(await timed(latencyRound(cluster[0].url, cluster[1].url, `lat-c${r}`), 'latency cluster'));
    result.failover.push(await timed(failoverRound([cluster[r % 3], cluster[(r + 1) % 3]], `fail-${r}`), 'failover'));
  }
} catch (error) {
  console.error(`bench/cluster: ${error.message}`);
  process.exit(1);
} finally {
  await Promise.all([single, ...cluster].map((s) => kill(s.child)));
  await kill(redis.child);
}
console.log(JSON.stringify(result));
process.exit(0);
