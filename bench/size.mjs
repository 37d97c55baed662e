// Module size: what an app downloads, bundled the same way for every library
// (esbuild --bundle --minify --format=esm, browser platform), raw and gzip; plus the shipped
// dist/rtc-signaling-core.js on its own.
//   node bench/size.mjs -> prints one JSON line {bundles, shipped}
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = {
  // Our index.js imports the core dynamically; without splitting esbuild inlines it, so this
  // is the whole SDK: API, glue and the embedded wasm.
  'rtc-signaling': `export * from ${JSON.stringify(path.join(root, 'dist/index.js'))};`,
  '@microsoft/signalr + simple-peer': "export * as signalr from '@microsoft/signalr'; export { default as Peer } from 'simple-peer';",
  peerjs: "export * from 'peerjs';",
  'simple-peer': "export { default } from 'simple-peer';",
  'livekit-client': "export * from 'livekit-client';",
};

const work = mkdtempSync(path.join(tmpdir(), 'rtc-bench-size-'));
const bundles = {};
try {
  for (const [name, source] of Object.entries(ENTRIES)) {
    const entry = path.join(work, `${Object.keys(bundles).length}.mjs`);
    writeFileSync(entry, source);
    const out = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      nodePaths: [path.join(root, 'node_modules')],
      define: { global: 'globalThis', 'process.env.NODE_DEBUG': 'false' },
    });
    const bytes = Buffer.concat(out.outputFiles.map((f) => Buffer.from(f.contents)));
    bundles[name] = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const core = readFileSync(path.join(root, 'dist/rtc-signaling-core.js'));
const shipped = { raw: core.length, gzip: gzipSync(core, { level: 9 }).length };
console.log(JSON.stringify({ bundles, shipped }));
