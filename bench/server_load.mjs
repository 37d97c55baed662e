// The reference server under many clients, beside the plain broadcast relay of the WebRTC
// tutorials (tests/interop/relay/helpers/relay_server.js) at the same client counts, in the same
// run: signals/s delivered to the peer they are addressed to, and each server's RSS once the
// clients are connected and after the load.
//
// Workload per round: N clients (reference server: rooms of 10; the relay has no rooms), half of
// them sending candidates to a partner, 64 in flight per sender, until every addressed signal has
// arrived. The relay fans each frame out to every other socket (its receivers drop what is not
// theirs), which is what users of it get.
//   node bench/server_load.mjs [--clients 100,500] [--frames N] [--rounds R]  -> one JSON line
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { kill, launch, ROOT, rssOf, startSignaling, timed } from './lib/processes.mjs';
import { RawClient, streamPairs } from './lib/raw_client.mjs';

const { values } = parseArgs({ options: { clients: { type: 'string' }, frames: { type: 'string' }, rounds: { type: 'string' } } });
const COUNTS = (values.clients ?? '100,500').split(',').map(Number);
const FRAMES = Number(values.frames ?? 2000);
const ROUNDS = Number(values.rounds ?? 3);
const WINDOW = 64;
const ROOM = 10;

async function startRelay() {
  const { child, match } = await launch(process.execPath, [join(ROOT, 'tests/interop/relay/helpers/relay_server.js')], /listening (\d+)/, {
    env: { PORT: '0' },
  });
  return { child, url: `ws://127.0.0.1:${match[1]}` };
}

/** A relay client: frames carry client-chosen ids; only those addressed to us count. */
function relayClient(url, id) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const c = { id, ws, onSignal: () => {} };
    ws.once('error', reject);
    ws.once('open', () => resolve(c));
    ws.on('message', (text) => {
      const m = JSON.parse(text);
      if (m.to === id) c.onSignal(m);
    });
    c.signal = (to, data) => ws.send(JSON.stringify({ type: 'candidate', candidate: data.candidate, from: id, to }));
    c.close = () => ws.close();
  });
}

/** Opens n clients, runs the pairs, returns {perSec, rssIdle, rssAfter}. */
async function round(kind, server, n, r) {
  const clients = [];
  for (let i = 0; i < n; i++) {
    clients.push(
      kind === 'reference'
        ? await RawClient.open(server.url, `load-${r}-${Math.floor(i / ROOM)}`, `c${i}`)
        : await relayClient(server.url, `c${r}-${i}`),
    );
  }
  const rssIdle = rssOf(server.child.pid);
  // Within each group of ROOM clients, the first half sends to the second half.
  const pairs = [];
  for (let g = 0; g + ROOM <= n; g += ROOM) {
    for (let k = 0; k < ROOM / 2; k++) pairs.push([clients[g + k], clients[g + k + ROOM / 2]]);
  }
  const perSec = await streamPairs(pairs, Math.max(1, Math.floor(FRAMES / pairs.length)), WINDOW);
  const rssAfter = rssOf(server.child.pid);
  for (const c of clients) c.close();
  return { perSec, rssIdle, rssAfter };
}

const reference = await startSignaling([
  '--rate', '100000', '--max-connections', '5000', '--max-connections-per-ip', '5000', '--max-peers', String(ROOM),
]);
const relay = await startRelay();
const result = { frames: FRAMES, rounds: ROUNDS, room: ROOM, runs: {} };
try {
  for (const n of COUNTS) {
    const runs = (result.runs[n] = { reference: [], relay: [] });
    for (let r = 0; r < ROUNDS; r++) {
      runs.reference.push(await timed(round('reference', reference, n, `${n}-${r}`), `reference ${n}`, 120_000));
      runs.relay.push(await timed(round('relay', relay, n, `${n}-${r}`), `relay ${n}`, 120_000));
    }
  }
} catch (error) {
  console.error(`bench/server_load: ${error.message}`);
  process.exit(1);
} finally {
  await kill(reference.child);
  await kill(relay.child);
}
console.log(JSON.stringify(result));
process.exit(0);
