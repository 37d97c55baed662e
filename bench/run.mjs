// npm run bench: runs every benchmark, prints one table (each row beside its baseline, measured
// in the same run, with min/median/max) and writes bench/results.json.
//   node bench/run.mjs [--smoke]   (--smoke: a few rounds so `npm test` keeps it working;
//                                   figures from a smoke run are not meant to be quoted)
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const smoke = process.argv.includes('--smoke');
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const run = (script, args = []) =>
  JSON.parse(execFileSync(process.execPath, [here(script), ...args], { maxBuffer: 1 << 24 }).toString().trim().split('\n').pop());

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
  writeFileSync(here('results.json'), JSON.stringify({ date: new Date().toISOString(), rows, raw: { size, throughput: tp, instantiate: inst, cluster: cl } }, null, 2) + '\n');
  console.log('bench: wrote bench/results.json');
}
