// The core natively (bench/core_frames.cpp, CMake Release in build-bench/, rebuilt only when a
// source changed): the frames/s row's work without wasm or JS.
//   node bench/core.mjs [--frames N] [--rounds R]  -> prints one JSON line
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values: args } = parseArgs({ options: { frames: { type: 'string' }, rounds: { type: 'string' } } });
const root = fileURLToPath(new URL('..', import.meta.url));
const quiet = { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] };
execFileSync('cmake', ['-S', '.', '-B', 'build-bench', '-DCMAKE_BUILD_TYPE=Release'], quiet);
execFileSync('cmake', ['--build', 'build-bench', '--target', 'rtc_bench_core', '-j', '2'], quiet);
const out = execFileSync(`${root}/build-bench/rtc_bench_core`, [args.frames ?? '20000', args.rounds ?? '7']).toString();
console.log(out.trim());
