// Turns the Emscripten output (glue .js + .wasm) into dist/rtc-signaling-core.js: one
// self-contained ES module that Angular, Vite and Node load with no configuration.
//
// Emscripten's own SINGLE_FILE embeds the raw .wasm as base64, which gzip cannot compress well
// (base64 of a wasm binary gzips 31-38 % worse than the binary). Here the .wasm is deflated first
// and the deflated bytes are embedded: gzip(base64(deflate(wasm))) is within ~1 % of gzip(wasm),
// so the module downloads at the size of the bare .wasm. At load time the bytes are decoded
// (Buffer in Node, a table-driven decoder elsewhere; never atob, which costs ~70 ms in Node) and
// inflated (Node's zlib when process.getBuiltinModule exists, else the platform's
// DecompressionStream) before instantiation.
//
//   node scripts/pack-core.mjs build-wasm/rtc-signaling-core.js dist/rtc-signaling-core.js
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync, constants } from 'node:zlib';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/pack-core.mjs <emscripten .js> <output .js>');
  process.exit(2);
}

const glue = readFileSync(input, 'utf8');
const wasmPath = input.replace(/\.js$/, '.wasm');

// A last binaryen pass over the linked module (emcc's own run stops after one iteration).
const work = mkdtempSync(path.join(tmpdir(), 'rtc-pack-'));
const optimized = path.join(work, 'core.wasm');
execFileSync('wasm-opt', [
  '-Oz', '--converge', '--strip-debug', '--strip-producers',
  '--enable-bulk-memory', '--enable-sign-ext', '--enable-mutable-globals',
  wasmPath, '-o', optimized,
]);
const wasm = readFileSync(optimized);
rmSync(work, { recursive: true, force: true });

const deflated = deflateSync(wasm, { level: 9, memLevel: 9, strategy: constants.Z_DEFAULT_STRATEGY });
const marker = 'export default createRtcSignalingCore;';
if (!glue.includes(marker)) throw new Error(`pack-core: ${input} does not end with "${marker}"`);

const loader = `
const WASM_DEFLATED = "${deflated.toString('base64')}";
const WASM_BYTES = ${wasm.length};

function decodeBase64(text) {
  if (typeof Buffer === 'function') return Buffer.from(text, 'base64');
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const table = new Uint8Array(128);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 61) end--;
  const bytes = new Uint8Array((end * 3) >> 2);
  let o = 0, i = 0;
  for (; i + 4 <= end; i += 4) {
    const n = (table[text.charCodeAt(i)] << 18) | (table[text.charCodeAt(i + 1)] << 12) |
      (table[text.charCodeAt(i + 2)] << 6) | table[text.charCodeAt(i + 3)];
    bytes[o++] = n >> 16; bytes[o++] = (n >> 8) & 255; bytes[o++] = n & 255;
  }
  if (end - i === 2) {
    bytes[o++] = (table[text.charCodeAt(i)] << 2) | (table[text.charCodeAt(i + 1)] >> 4);
  } else if (end - i === 3) {
    const n = (table[text.charCodeAt(i)] << 10) | (table[text.charCodeAt(i + 1)] << 4) |
      (table[text.charCodeAt(i + 2)] >> 2);
    bytes[o++] = n >> 8; bytes[o++] = n & 255;
  }
  return bytes;
}

async function inflateWasm() {
  // Node's web-streams DecompressionStream takes ~50 ms on first use; its zlib takes ~2 ms.
  const zlib = globalThis.process?.getBuiltinModule?.('zlib');
  if (zlib) return checked(zlib.inflateSync(decodeBase64(WASM_DEFLATED)));
  const stream = new Blob([decodeBase64(WASM_DEFLATED)]).stream()
    .pipeThrough(new DecompressionStream('deflate'));
  return checked(new Uint8Array(await new Response(stream).arrayBuffer()));
}

function checked(bytes) {
  if (bytes.length !== WASM_BYTES) throw new Error('rtc-signaling: embedded wasm is corrupt');
  return bytes;
}

/** Instantiates the core; options are Emscripten Module options. */
export default async function createCore(options = {}) {
  return createRtcSignalingCore({ ...options, wasmBinary: await inflateWasm() });
}
`;

// The glue names the .wasm beside itself as new URL("x.wasm", import.meta.url); bundlers (Vite,
// Angular's esbuild) try to resolve that file and warn or copy it. The bytes come from
// wasmBinary instead, so the reference is never used: drop it.
const wasmUrl = /new URL\("rtc-signaling-core\.wasm",\s*import\.meta\.url\)/g;
if (!glue.match(wasmUrl)) throw new Error('pack-core: the glue no longer names its .wasm as expected');
const packed = glue.replace(wasmUrl, '"rtc-signaling-core.wasm"').replace(marker, loader.trimStart());
writeFileSync(output, packed);
console.log(`pack-core: ${output}: wasm ${wasm.length} B (${deflated.length} B deflated), glue ${glue.length} B`);
