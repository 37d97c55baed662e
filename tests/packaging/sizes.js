// Measures what an app pays for the package: the packed tarball, the shipped ES module that embeds
// the wasm (SINGLE_FILE), and the wasm binary itself decoded from that module.
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const WASM_DATA_URL = /data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/;

/** Extracts the wasm binary that emscripten's SINGLE_FILE glue carries as a base64 data URL. */
export function embeddedWasm(coreJsPath) {
  const match = WASM_DATA_URL.exec(readFileSync(coreJsPath, 'latin1'));
  if (!match) throw new Error(`${coreJsPath} embeds no base64 wasm data URL`);
  const wasm = Buffer.from(match[1], 'base64');
  // "\0asm" magic: proves the data URL really is a wasm module, not some other payload.
  if (wasm.readUInt32LE(0) !== 0x6d736100)
    throw new Error('embedded data URL is not a wasm module');
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
    `size: rtc-signaling-core.js (wasm embedded as base64 + glue) ${kib(s.coreJs.raw)} raw, ${kib(s.coreJs.gzip)} gzip`,
  ].join('\n');
}

// `node tests/packaging/sizes.js TARBALL dist/rtc-signaling-core.js`
if (import.meta.url === `file://${process.argv[1]}`) {
  const [tarball, coreJs = 'dist/rtc-signaling-core.js'] = process.argv.slice(2);
  console.log(formatSizes(measure({ tarball, coreJs })));
}
