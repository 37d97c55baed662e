// Memory over connect/close cycles in Node with real WebRTC (@roamhq/wrtc): each cycle two
// clients meet in a room through the reference server, open their data channel and close
// (--kind sdk), or the same cycle hand-written with raw RTCPeerConnections over the tutorials'
// broadcast relay (--kind raw), one kind per process so each has its own RSS. Sampled after a
// forced GC every CYCLES/10 cycles: RSS and JS heap, and for the SDK also the wasm heap, live
// drivers and live embind handles.
//   node --expose-gc bench/memory.mjs --kind sdk|raw [--cycles N]  -> one JSON line
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { kill, launch, ROOT, startSignaling, timed } from './lib/processes.mjs';

const { values } = parseArgs({ options: { cycles: { type: 'string' }, kind: { type: 'string' } } });
const KIND = values.kind ?? 'sdk';
const CYCLES = Number(values.cycles ?? 100);
const EVERY = Math.max(1, Math.floor(CYCLES / 10));

globalThis.WebSocket = WebSocket;
const wrtc = (await import('@roamhq/wrtc')).default;
for (const name of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate']) globalThis[name] = wrtc[name];
const sdk = await import(join(ROOT, 'dist/index.js'));
if (values.kind !== 'raw') await sdk.preload();

const server = await startSignaling(['--rate', '1000']);
const relay = await launch(process.execPath, [join(ROOT, 'tests/interop/relay/helpers/relay_server.js')], /listening (\d+)/, {
  env: { PORT: '0' },
});
const relayUrl = `ws://127.0.0.1:${relay.match[1]}`;

async function sdkCycle(n) {
  const room = `mem-${n}`;
  const both = [];
  const clients = await Promise.all(
    ['a', 'b'].map(async (name) => {
      const c = await sdk.connect({ url: server.url, room, name });
      both.push(new Promise((resolve) => c.on('channel', ({ state }) => state === 'open' && resolve())));
      return c;
    }),
  );
  await Promise.all(both);
  await Promise.all(clients.map((c) => c.close()));
}

async function rawCycle(n) {
  const ids = [`a${n}`, `b${n}`];
  const sockets = await Promise.all(
    ids.map(
      () =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(relayUrl);
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        }),
    ),
  );
  const pcs = ids.map(() => new RTCPeerConnection({ iceServers: [] }));
  const send = (i, m) => sockets[i].send(JSON.stringify({ ...m, from: ids[i], to: ids[1 - i] }));
  pcs.forEach((pc, i) => {
    pc.onicecandidate = ({ candidate }) => candidate && send(i, { type: 'candidate', candidate });
    sockets[i].on('message', async (text) => {
      const m = JSON.parse(text);
      if (m.to !== ids[i]) return;
      if (m.type === 'offer') {
        await pc.setRemoteDescription(m.offer);
        await pc.setLocalDescription(await pc.createAnswer());
        send(i, { type: 'answer', answer: pc.localDescription });
      } else if (m.type === 'answer') await pc.setRemoteDescription(m.answer);
      else if (m.type === 'candidate') await pc.addIceCandidate(m.candidate);
    });
  });
  const channel = pcs[0].createDataChannel('data');
  const openA = new Promise((resolve) => (channel.onopen = resolve));
  const openB = new Promise((resolve) => (pcs[1].ondatachannel = ({ channel: c }) => (c.onopen = resolve)));
  await pcs[0].setLocalDescription(await pcs[0].createOffer());
  send(0, { type: 'offer', offer: pcs[0].localDescription });
  await Promise.all([openA, openB]);
  pcs.forEach((pc) => pc.close());
  sockets.forEach((ws) => ws.close());
}

async function sample(which, cycle) {
  globalThis.gc?.();
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc?.();
  const m = process.memoryUsage();
  const s = { cycle, rss: m.rss, heapUsed: m.heapUsed };
  if (which === 'sdk') {
    s.wasmHeap = await sdk._wasmMemoryBytes();
    s.liveDrivers = await sdk._liveDrivers();
    s.liveHandles = await sdk._liveHandles();
  }
  return s;
}

const result = { kind: KIND, cycles: CYCLES, gc: typeof globalThis.gc === 'function', samples: [] };
const cycle = KIND === 'sdk' ? sdkCycle : rawCycle;
try {
  result.samples.push(await sample(KIND, 0));
  for (let n = 1; n <= CYCLES; n++) {
    await timed(cycle(n), `a ${KIND} cycle`, 30_000);
    if (n % EVERY === 0) result.samples.push(await sample(KIND, n));
  }
} catch (error) {
  console.error(`bench/memory: ${error.message}`);
  process.exit(1);
} finally {
  await kill(server.child);
  await kill(relay.child);
}
console.log(JSON.stringify(result));
process.exit(0);
