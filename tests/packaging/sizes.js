// Measures what an app pays for the package: the packed tarball, the shipped ES module that embeds
// the wasm (deflated, base64; see scripts/pack-core.mjs), and the wasm binary itself.
import { readFileSync, statSync } from 'node:fs';
import { gzipSync, inflateSync } from 'node:zlib';

const EMBEDDED = /WASM_DEFLATED = "([A-Za-z0-9+/=]+)"/;

/** Extracts the wasm binary that dist/rtc-signaling-core.js carries deflated as base64. */
export function embeddedWasm(coreJsPath) {
  const match = EMBEDDED.exec(readFileSync(coreJsPath, 'latin1'));
  if (!match) throw new Error(`${coreJsPath} embeds no deflated wasm`);
  const wasm = inflateSync(Buffer.from(match[1], 'base64'));
  // "\0asm" magic: proves the payload really is a wasm module, not some other data.
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('embedded payload is not a wasm module');
  return wasm;
}

const gzipLength = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

export function measure({ tarball, coreJs }) {
  const core = readFileSync(coreJs);
  const wasm = embeddedWasm(coreJs);
  return {
    tarball: statSync(tarball).size,
    coreJs: { raw: core.length, gzip: gzipLength(core) },
    wasm: { raw: wasm.length, gzip: gzipLength(wasm) },
  };
}

export function formatSizes(s) {
  return [
    `size: packed tarball ${kib(s.tarball)}`,
    `size: wasm module ${kib(s.wasm.raw)} raw, ${kib(s.wasm.gzip)} gzip`,
    `size: rtc-signaling-core.js (wasm embedded deflated + glue) ${kib(s.coreJs.raw)} raw, ${kib(s.coreJs.gzip)} gzip`,
  ].join('\n');
}

// `node tests/packaging/sizes.js TARBALL dist/rtc-signaling-core.js`
if (import.meta.url === `file://${process.argv[1]}`) {
  const [tarball, coreJs = 'dist/rtc-signaling-core.js'] = process.argv.slice(2);
  console.log(formatSizes(measure({ tarball, coreJs })));
}
