// npm run bench: runs every benchmark, prints one table (each row beside its baseline, measured
// in the same run, with min/median/max) and writes bench/results.json.
//   node bench/run.mjs [--smoke]   (--smoke: a few rounds so `npm test` keeps it working;
//                                   figures from a smoke run are not meant to be quoted)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const smoke = process.argv.includes('--smoke');
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const run = (script, args = [], nodeFlags = []) =>
  JSON.parse(
    execFileSync(process.execPath, [...nodeFlags, here(script), ...args], { maxBuffer: 1 << 24 }).toString().trim().split('\n').pop(),
  );

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1), n: values.length };
};
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
/** "median (min–max)" of a stats() result. */
const spread = (s, digits) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
const rows = [];

// ---- size (deterministic: one measurement each)
const size = run('size.mjs');
const { 'rtc-signaling': ours, ...anchors } = size.bundles;
for (const [name, s] of Object.entries(anchors)) {
  rows.push({
    row: `module gzip: rtc-signaling vs ${name}`,
    value: kib(ours.gzip),
    baseline: kib(s.gzip),
    ratio: ours.gzip / s.gzip,
    detail: `raw ${kib(ours.raw)} vs ${kib(s.raw)}; core file alone ${kib(size.shipped.gzip)} gzip`,
  });
}

// ---- frames/s through decode + validate + dispatch
const tp = run('throughput.mjs', smoke ? ['--frames', '2000', '--rounds', '2'] : ['--frames', '20000', '--rounds', '7']);
const w = stats(tp.wasm);
const p = stats(tp.plain);
rows.push({
  row: `frames/s (candidates, stub pc): wasm core vs plain JS`,
  value: spread(w, 0),
  baseline: spread(p, 0),
  ratio: w.median / p.median,
  detail: `${tp.frames} frames × ${tp.rounds} rounds, interleaved`,
});

// ---- the same frames through the core natively: how much of the gap is the core's own work
const core = run('core.mjs', smoke ? ['--frames', '2000', '--rounds', '2'] : ['--frames', '20000', '--rounds', '7']);
const n = stats(core.native);
rows.push({
  row: `frames/s (same frames): core natively (g++ -O2) vs plain JS`,
  value: spread(n, 0),
  baseline: spread(p, 0),
  ratio: n.median / p.median,
  detail: `the wasm path above is ${(n.median / w.median).toFixed(1)}× slower than this`,
});

// ---- instantiate in Node
const inst = run('instantiate.mjs', ['--rounds', smoke ? '2' : '9']);
const a = stats(inst['rtc-signaling core']);
const b = stats(inst['@microsoft/signalr']);
rows.push({
  row: 'Node: import + instantiate (ms): core vs import @microsoft/signalr',
  value: spread(a, 1),
  baseline: spread(b, 1),
  ratio: a.median / b.median,
  detail: `fresh process per round, ${a.n} rounds`,
});

// ---- Chromium: connect() to both data channels open, and module instantiate
const cn = run('connect.mjs', ['--rounds', smoke ? '1' : '15']);
const ms = (key) => stats(cn[key]);
for (const [key, label] of [['sdkCold', 'cold (module loads inside)'], ['sdkWarm', 'after preload()']]) {
  for (const [base, name] of [['raw', 'raw RTCPeerConnection over a broadcast relay'], ['peerjs', 'PeerJS + peer server']]) {
    rows.push({
      row: `Chromium connect → both channels open (ms), ${label}: SDK vs ${name}`,
      value: spread(ms(key), 1),
      baseline: spread(ms(base), 1),
      ratio: ms(key).median / ms(base).median,
      detail: `two peers in one page, fresh context per round, ${cn.rounds} rounds interleaved`,
    });
  }
}
for (const [n, m] of Object.entries(cn.mesh)) {
  const a = stats(m.sdk);
  const b = stats(m.raw);
  rows.push({
    row: `Chromium full data mesh of ${n} (ms): SDK after preload() vs raw over a broadcast relay`,
    value: spread(a, 1),
    baseline: spread(b, 1),
    ratio: a.median / b.median,
    detail: `${n} peers in one page, ${(n * (n - 1)) / 2} connections, ${cn.meshRounds} rounds`,
  });
}
rows.push({
  row: 'Chromium: import + preload() (ms): core vs fetch + evaluate peerjs.min.js',
  value: spread(ms('instantiate'), 1),
  baseline: spread(ms('peerjsLoad'), 1),
  ratio: ms('instantiate').median / ms('peerjsLoad').median,
  detail: `fresh context per round, ${cn.rounds} rounds`,
});

// ---- memory over connect/close cycles (Node, real WebRTC), one process per kind
const cycles = smoke ? '10' : '100';
const memSdk = run('memory.mjs', ['--kind', 'sdk', '--cycles', cycles], ['--expose-gc']);
const memRaw = run('memory.mjs', ['--kind', 'raw', '--cycles', cycles], ['--expose-gc']);
const growth = (samples, key) => samples.at(-1)[key] - samples[1][key]; // from the first sample after warm-up
for (const [key, label] of [['rss', 'RSS'], ['heapUsed', 'JS heap']]) {
  const a = growth(memSdk.samples, key);
  const b = growth(memRaw.samples, key);
  rows.push({
    row: `${label} growth over ${memSdk.cycles} connect/close cycles (cycle ${memSdk.samples[1].cycle}→${memSdk.cycles}): SDK vs raw`,
    value: `${(a / 2 ** 20).toFixed(2)} MiB`,
    baseline: `${(b / 2 ** 20).toFixed(2)} MiB`,
    ratio: b === 0 ? NaN : a / b,
    detail:
      key === 'rss'
        ? `end: wasm heap ${(memSdk.samples.at(-1).wasmHeap / 2 ** 20).toFixed(0)} MiB, live drivers ${memSdk.samples.at(-1).liveDrivers}, live embind handles ${memSdk.samples.at(-1).liveHandles}`
        : 'two peers meet, open a data channel and close; forced GC before each sample',
  });
}

// ---- the reference server under 100 and 500 clients vs the tutorials' broadcast relay
const load = run('server_load.mjs', smoke ? ['--clients', '20', '--frames', '200', '--rounds', '1'] : ['--rounds', '3']);
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
for (const [n, runs] of Object.entries(load.runs)) {
  const ref = stats(runs.reference.map((x) => x.perSec));
  const rel = stats(runs.relay.map((x) => x.perSec));
  rows.push({
    row: `signals/s to the addressed peer, ${n} clients: reference server vs broadcast relay`,
    value: spread(ref, 0),
    baseline: spread(rel, 0),
    ratio: ref.median / rel.median,
    detail: `rooms of ${load.room}, half of each sending, ${load.frames} signals × ${load.rounds} rounds; the relay sends each to all ${n - 1} others`,
  });
  const refRss = stats(runs.reference.map((x) => x.rssAfter));
  const relRss = stats(runs.relay.map((x) => x.rssAfter));
  const idle = stats(runs.reference.map((x) => x.rssIdle));
  rows.push({
    row: `server RSS after the load, ${n} clients: reference server vs broadcast relay`,
    value: mib(refRss.median),
    baseline: mib(relRss.median),
    ratio: refRss.median / relRss.median,
    detail: `reference ${mib(idle.median)} with the ${n} clients connected, before the load`,
  });
}

// ---- cluster mode (Redis): relay capacity, added latency, failover of a killed instance
const cl = run('cluster.mjs', smoke ? ['--rounds', '1', '--frames', '600'] : ['--rounds', '5', '--frames', '6000']);
const single = stats(cl.relay.single);
for (const [key, label] of [['cluster1', 'one cluster instance'], ['cluster3', 'three cluster instances']]) {
  const c = stats(cl.relay[key]);
  rows.push({
    row: `signals/s relayed: ${label} vs single-process server`,
    value: spread(c, 0),
    baseline: spread(single, 0),
    ratio: c.median / single.median,
    detail: `${cl.pairs} sender→receiver pairs${key === 'cluster3' ? ' on different instances' : ''}, ${cl.frames} signals × ${cl.rounds} rounds, one Redis`,
  });
}
const lc = stats(cl.latency.cluster);
const ls = stats(cl.latency.single);
rows.push({
  row: 'one-way signal latency (ms): across two instances vs single process',
  value: spread(lc, 3),
  baseline: spread(ls, 3),
  ratio: lc.median / ls.median,
  detail: `added ${(lc.median - ls.median).toFixed(3)} ms; median of 200 ping-pongs per round`,
});
const fo = stats(cl.failover);
rows.push({
  row: 'instance SIGKILLed → its SDK client open on the next endpoint (ms)',
  value: spread(fo, 0),
  baseline: '—',
  ratio: NaN,
  detail: `default backoff; ${fo.n} rounds`,
});

const header = ['row', 'rtc-signaling', 'baseline', 'ratio', 'detail'];
const lines = rows.map((r) => [r.row, r.value, r.baseline, Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : '—', r.detail]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const fmt = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(fmt(header));
console.log(`|${widths.map((n) => '-'.repeat(n + 2)).join('|')}|`);
for (const l of lines) console.log(fmt(l));
if (smoke) {
  console.log('bench: smoke run (few rounds); figures not written to bench/results.json');
} else {
  writeFileSync(here('results.json'), JSON.stringify({ date: new Date().toISOString(), rows, raw: { size, throughput: tp, instantiate: inst, connect: cn, memory: { sdk: memSdk, raw: memRaw }, serverLoad: load, cluster: cl } }, null, 2) + '\n');
  console.log('bench: wrote bench/results.json');
}
