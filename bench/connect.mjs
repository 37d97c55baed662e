// Connect latency in Chromium (Debian's, through playwright-core): from "start" to a data channel
// open at both ends of a two-peer call in one page, interleaved round by round, each round in a
// fresh browser context (its own HTTP cache):
//   sdk cold   connect() including the module's import and instantiation
//   sdk warm   connect() after preload()
//   raw        two RTCPeerConnections over the tutorials' broadcast relay, hand-written
//   peerjs     PeerJS 1.5.5 with the `peer` 1.0.2 server
// Then time to a full data mesh of N = 2…6 peers in one page, SDK (after preload()) vs raw.
// Also the module's import + preload() alone in a fresh context (Chromium instantiate), beside
// fetching and evaluating peerjs.min.js.
//   node bench/connect.mjs [--rounds N]  -> one JSON line
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { freePort, kill, launch, ROOT, startSignaling, timed } from './lib/processes.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 15);

// The page and peerjs's browser bundle, served by the reference server beside /sdk/ (dist/).
const site = mkdtempSync(join(tmpdir(), 'rtc-bench-connect-'));
copyFileSync(join(ROOT, 'bench/pages/connect.html'), join(site, 'index.html'));
copyFileSync(join(ROOT, 'node_modules/peerjs/dist/peerjs.min.js'), join(site, 'peerjs.min.js'));

const server = await startSignaling(['--static', site, '--rate', '1000']);
const relay = await launch(process.execPath, [join(ROOT, 'tests/interop/relay/helpers/relay_server.js')], /listening (\d+)/, {
  env: { PORT: '0' },
});
const relayUrl = `ws://127.0.0.1:${relay.match[1]}`;
const peerPort = await freePort();
const peer = await launch(
  process.execPath,
  ['--input-type=module', '-e', `import { PeerServer } from 'peer'; PeerServer({ port: ${peerPort}, path: '/bench' }, () => console.log('peer up'));`],
  /peer up/,
  { cwd: ROOT },
);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const pageUrl = `http://127.0.0.1:${server.port}/`;

async function inFreshPage(fn, arg) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(pageUrl);
    await page.waitForFunction(() => window.benchReady === true);
    return await timed(page.evaluate(fn, arg), 'a connect round', 30_000);
  } finally {
    await context.close();
  }
}

const MESH = [2, 3, 4, 5, 6];
const MESH_ROUNDS = Math.max(1, Math.round(ROUNDS / 3));
const result = {
  rounds: ROUNDS,
  meshRounds: MESH_ROUNDS,
  sdkCold: [],
  sdkWarm: [],
  raw: [],
  peerjs: [],
  instantiate: [],
  peerjsLoad: [],
  mesh: Object.fromEntries(MESH.map((n) => [n, { sdk: [], raw: [] }])),
};
try {
  for (let r = 0; r < ROUNDS; r++) {
    result.sdkCold.push(await inFreshPage((a) => window.bench.sdk(a), { url: server.url, cold: true }));
    result.sdkWarm.push(await inFreshPage((a) => window.bench.sdk(a), { url: server.url, cold: false }));
    result.raw.push(await inFreshPage((a) => window.bench.raw(a), { relayUrl }));
    result.peerjs.push(await inFreshPage((a) => window.bench.peerjs(a), { host: '127.0.0.1', port: peerPort, path: '/bench' }));
    result.instantiate.push(await inFreshPage(() => window.bench.instantiate()));
    result.peerjsLoad.push(await inFreshPage(() => window.bench.peerjsLoad()));
  }
  for (let r = 0; r < MESH_ROUNDS; r++) {
    for (const n of MESH) {
      result.mesh[n].sdk.push(await inFreshPage((a) => window.bench.sdk(a), { url: server.url, cold: false, n }));
      result.mesh[n].raw.push(await inFreshPage((a) => window.bench.raw(a), { relayUrl, n }));
    }
  }
} catch (error) {
  console.error(`bench/connect: ${error.message}`);
  process.exit(1);
} finally {
  await browser.close();
  await Promise.all([server.child, relay.child, peer.child].map(kill));
}
console.log(JSON.stringify(result));
process.exit(0);
