// Module import + instantiate in a fresh Node process: rtc-signaling's core (import, inflate,
// compile, instantiate, runtime ready) against importing @microsoft/signalr, interleaved.
//   node bench/instantiate.mjs [--rounds R] -> prints one JSON line
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { rounds: { type: 'string' } } });
const rounds = Number(args.rounds ?? 9);
const core = fileURLToPath(new URL('../dist/rtc-signaling-core.js', import.meta.url));
const probes = {
  'rtc-signaling core': `const t = performance.now(); const m = await import(${JSON.stringify(core)}); await m.default(); console.log(performance.now() - t);`,
  '@microsoft/signalr': `const t = performance.now(); await import('@microsoft/signalr'); console.log(performance.now() - t);`,
};
const results = Object.fromEntries(Object.keys(probes).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, code] of Object.entries(probes)) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    results[name].push(Number(out.toString().trim()));
  }
}
console.log(JSON.stringify(results));
