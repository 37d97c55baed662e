// The npm package in apps its authors never configured for WebAssembly: fresh apps from Angular's
// and Vite's own generators (default options), the packed tarball installed, the README's service,
// hook and components added, built with their unchanged build scripts, then one page of each in
// the same room through the reference server.
//
// Needs dist/ built (bash scripts/build) and the npm registry. RTC_PKG_KEEP=1 keeps the temp dir.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  buildApp,
  configUnchanged,
  createAngularApp,
  createReactApp,
  createVanillaApp,
  packTarball,
  root,
  startViteDev,
} from './apps.js';
import { formatSizes, measure } from './sizes.js';
import { openApp, sendMessage, waitForMessage, waitForPeer } from './browser.js';
import { startServer } from '../browser/helpers/server.js';
import { launchChromium } from '../browser/helpers/browser.js';

const log = (line) => console.log(`# ${line}`);
let dir;
let packed;
let angular;
let react;
let vanilla;
const servers = [];
let browser;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rtc-signaling-pkg-'));
  log(`working in ${dir}`);
});

after(async () => {
  await browser?.close();
  for (const server of servers) await server.stop();
  if (dir && !process.env.RTC_PKG_KEEP) await rm(dir, { recursive: true, force: true });
});

/** Fails the test with the reason an earlier step did not produce its result. */
function need(value, what) {
  assert.ok(value, `${what} is missing: an earlier packaging step failed`);
  return value;
}

test('npm pack ships only dist/, README.md, LICENSE and package.json, with no runtime dependencies', async () => {
  packed = await packTarball(dir, { log });
  assert.deepEqual(packed.files, [
    'LICENSE',
    'README.md',
    'dist/index.d.ts',
    'dist/index.js',
    'dist/rtc-signaling-core.js',
    'package.json',
  ]);
  const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  for (const field of [
    'dependencies',
    'peerDependencies',
    'optionalDependencies',
    'bundleDependencies',
  ]) {
    assert.equal(Object.keys(manifest[field] ?? {}).length, 0, `package.json has ${field}`);
  }
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.sideEffects, false);
  assert.deepEqual(manifest.exports['.'], {
    types: './dist/index.d.ts',
    import: './dist/index.js',
  });
  console.log(
    formatSizes(
      measure({ tarball: packed.tarball, coreJs: path.join(root, 'dist/rtc-signaling-core.js') }),
    ),
  );
});

test(
  'fresh Angular and React apps install the tarball and build unchanged',
  { timeout: 6 * 60_000 },
  async () => {
    const { tarball } = need(packed, 'the tarball');
    // Generation and installs are network-bound: run the two apps side by side. Builds are CPU-bound
    // and this machine has 2 cores: one at a time.
    [angular, react, vanilla] = await Promise.all([
      createAngularApp(dir, tarball, { log }),
      createReactApp(dir, tarball, { log }),
      createVanillaApp(dir, tarball, { log }),
    ]);
    await buildApp(vanilla.appDir, { log });
    vanilla.built = true;
    for (const app of [angular, react]) {
      const installed = JSON.parse(
        await readFile(path.join(app.appDir, 'node_modules/rtc-signaling/package.json'), 'utf8'),
      );
      assert.equal(installed.name, 'rtc-signaling');
      const { output } = await buildApp(app.appDir, { log });
      // Printed, not asserted: the size warnings of each tool's default budget are information.
      const warnings = output
        .replace(/\x1b\[[0-9;]*m/g, '')
        .split('\n')
        .filter((line) => /warn|^\(!\)/i.test(line) && !/Unknown user config/.test(line));
      if (warnings.length)
        log(`build warnings in ${path.basename(app.appDir)}:\n${warnings.join('\n')}`);
      assert.ok(await configUnchanged(app.config), `${app.config.file} was modified`);
      app.built = true;
    }
  },
);

test(
  'an Angular page and a React page see each other and exchange data-channel messages',
  { timeout: 90_000 },
  async () => {
    need(angular?.built && react?.built, 'the built apps');
    // The Angular build is served by the signaling server itself (same-origin /signal); the React
    // build by a second server, pointed at the first with ?signal=, so both pages share one room.
    const signaling = await startServer({ args: ['--static', angular.outDir] });
    servers.push(signaling);
    const reactHost = await startServer({ args: ['--static', react.outDir] });
    servers.push(reactHost);
    browser = await launchChromium();

    const room = `packaging-${process.pid}`;
    const ng = await openApp(browser, `${signaling.url}/?room=${room}&name=angular-user`);
    const rx = await openApp(
      browser,
      `${reactHost.url}/?room=${room}&name=react-user&signal=${encodeURIComponent(signaling.wsUrl)}`,
    );

    await waitForPeer(ng.page, 'react-user');
    await waitForPeer(rx.page, 'angular-user');
    for (const { page } of [ng, rx]) {
      assert.equal(await page.locator('b.state').textContent(), 'open');
      assert.equal(await page.locator('li.peer').count(), 1);
    }

    await sendMessage(ng.page, 'hello from Angular');
    await waitForMessage(rx.page, 'angular-user: hello from Angular');
    await sendMessage(rx.page, 'hello from React');
    await waitForMessage(ng.page, 'react-user: hello from React');

    assert.deepEqual(ng.problems, [], 'problems on the Angular page');
    assert.deepEqual(rx.problems, [], 'problems on the React page');
    await ng.context.close();
    await rx.context.close();
  },
);

/** Resolves once check() holds for the server's log (re-read as it grows); rejects after 30 s. */
function serverSays(server, check, what) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 30_000;
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}:\n${server.output()}`));
      setTimeout(poll, 50);
    };
    poll();
  });
}

/** The page's own error lines, for assertions that name them. */
const pageErrors = async (page) => (await page.locator('span.error').allTextContents()).filter((t) => t.trim());

test('the Quick start page, pasted into a fresh Vite app, shows two tabs each other\'s camera', { timeout: 90_000 }, async () => {
  need(vanilla?.built, 'the built Quick start app');
  const server = await startServer({ args: ['--static', vanilla.outDir] });
  servers.push(server);
  browser ??= await launchChromium();
  const room = `quick-start-${process.pid}`;
  const page = (name) => openApp(browser, `${server.url}/?room=${room}&name=${name}&signal=${encodeURIComponent(server.wsUrl)}`);
  const ada = await page('ada');
  const bob = await page('bob');
  for (const [self, other] of [[ada, 'bob'], [bob, 'ada']]) {
    await self.page.waitForFunction(
      (name) => [...document.querySelectorAll('figure')].some(
        (f) => f.querySelector('figcaption').textContent === name && f.querySelector('video').videoWidth > 0,
      ),
      other,
      { timeout: 30_000 },
    );
    assert.equal(await self.page.locator('#status').textContent(), 'open');
    assert.equal(await self.page.locator('figure').count(), 2, 'yourself and the other tab');
  }
  // The second tab found the first in client.peers (no peer-joined for peers already there).
  assert.deepEqual(ada.problems, [], 'problems on the first page');
  assert.deepEqual(bob.problems, [], 'problems on the second page');
  await ada.context.close();
  await bob.page.locator('figure').nth(1).waitFor({ state: 'detached', timeout: 10_000 });
  await bob.context.close();
});

test('the React hook under vite dev with StrictMode joins once, and a reload leaves no ghost', { timeout: 120_000 }, async () => {
  need(angular?.built && react?.built, 'the built apps');
  const signaling = await startServer({ args: ['--static', angular.outDir] });
  servers.push(signaling);
  const devPort = signaling.port + 1;
  const dev = await startViteDev(react.appDir, devPort, { log });
  try {
    browser ??= await launchChromium();
    const room = `strict-${process.pid}`;
    const joins = () => (signaling.output().match(new RegExp(`join room="${room}"`, 'g')) ?? []).length;
    const ng = await openApp(browser, `${signaling.url}/?room=${room}&name=angular-user`);
    await ng.page.locator('b.state', { hasText: 'open' }).waitFor({ timeout: 30_000 });
    const rx = await openApp(browser, `${dev.url}/?room=${room}&name=react-user&signal=${encodeURIComponent(signaling.wsUrl)}`);
    await waitForPeer(ng.page, 'react-user');
    await waitForPeer(rx.page, 'angular-user');
    assert.equal(joins(), 2, `StrictMode's rehearsal mount must not join:\n${signaling.output()}`);

    // A reload: the old page leaves on pagehide, the new one joins; the Angular page never shows two.
    await rx.page.reload();
    await serverSays(signaling, () => joins() === 3 && /reason="left"/.test(signaling.output()), 'the reload: a goodbye and a new join');
    await waitForPeer(ng.page, 'react-user');
    assert.match(signaling.output(), /leave room="[^"]+" id="[^"]+" reason="left"/, 'the reloaded page said goodbye');
    assert.equal(await ng.page.locator('li.peer').count(), 1, 'no ghost of the reloaded page');
    assert.equal(joins(), 3);
    await sendMessage(ng.page, 'after the reload');
    await waitForMessage(rx.page, 'angular-user: after the reload');
    assert.deepEqual(await pageErrors(ng.page), []);
    assert.deepEqual(await pageErrors(rx.page), []);
    assert.deepEqual(ng.problems, [], 'problems on the Angular page');
    await ng.context.close();
    await rx.context.close();
  } finally {
    dev.stop();
  }
});
