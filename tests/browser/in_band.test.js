// Calls renegotiate with the signaling server gone (README.md#calls-without-a-server): real
// Chromium pages, the reference server killed with SIGKILL, and then a camera added, a screen
// shared and stopped, an ICE restart and a three-way mesh renegotiating, all signaled on the
// connections' own channel. Data keeps arriving once and in order throughout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './helpers/server.js';
import { launchChromium, openPage } from './helpers/browser.js';
import { summary, waitForMesh } from './helpers/mesh.js';

const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pages');
let browser;

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Data-only pages in one room, connected to each other, streaming counters; then the server is killed. */
async function callThenKill(names) {
  const server = await startServer({ args: ['--static', pagesDir] });
  const handles = [];
  for (const name of names) {
    const h = await openPage(browser, `${server.url}/in_band.html`);
    h.id = await h.page.evaluate((opts) => window.rtcJoin(opts), { url: server.wsUrl, room: 'in-band', name });
    handles.push(h);
  }
  await waitForMesh(handles, 30_000);
  for (const h of handles) {
    // Every pair's signals already take their connection's channel (client.peers[].signaling).
    await h.page.waitForFunction(
      (n) => window.rtcSummary().peers.filter((p) => p.signaling === 'in-band').length === n,
      handles.length - 1,
      { timeout: 15_000 },
    );
    await h.page.evaluate(() => window.rtcStream(10));
  }
  await server.kill(); // SIGKILL: the process is gone, no close frames
  for (const h of handles) {
    await h.page.waitForFunction(() => window.rtcSummary().state !== 'open', null, { timeout: 15_000 });
  }
  return handles;
}

/** Resolves once `h` plays video from `id` with a picture, past `seconds`. */
function playsVideoFrom(h, id, seconds = 0.3, timeout = 20_000) {
  return h.page.waitForFunction(
    ([peer, t]) =>
      window.rtcSummary().videos.some((v) => v.id === peer && v.videoTracks > 0 && v.videoWidth > 0 && v.currentTime > t),
    [id, seconds],
    { timeout },
  );
}

/** Everything that must hold at the end: the server never came back, nobody left, data intact. */
async function checkOutageHeld(handles, label) {
  for (const h of handles) {
    await h.page.evaluate(() => window.rtcStopStream());
  }
  for (const h of handles) {
    const others = handles.filter((o) => o !== h);
    for (const o of others) {
      const sentByO = (await summary(o)).sent[h.id];
      await h.page.waitForFunction(([peer, n]) => (window.rtcSummary().received[peer] ?? 0) >= n, [o.id, sentByO], {
        timeout: 10_000,
      });
    }
  }
  const lines = [];
  for (const h of handles) {
    const s = await summary(h);
    assert.notEqual(s.state, 'open', 'the server is still gone');
    assert.notEqual(s.state, 'closed');
    assert.deepEqual(s.violations, [], 'data arrived once and in order');
    assert.deepEqual(s.log.filter((e) => e.type === 'peer-left'), [], 'nobody left');
    assert.deepEqual(s.log.filter((e) => e.type === 'peer-state' && ['failed', 'closed'].includes(e.state)), []);
    assert.deepEqual(s.log.filter((e) => e.type === 'error' && e.code !== 'connect-failed'), [], 'no error but the server being gone');
    assert.ok(s.stats.signalsSentInBand > 0 && s.stats.signalsReceivedInBand > 0, `${h.id} signaled in-band`);
    assert.deepEqual(h.errors, []);
    lines.push(`${h.id}: in-band sent ${s.stats.signalsSentInBand} received ${s.stats.signalsReceivedInBand}, data received ${Object.values(s.received).join('/')}`);
  }
  console.log(`[in-band ${label}] ${lines.join('; ')}`);
}

test('with the server killed, a data-only call turns cameras on and each side plays the other', async () => {
  const [a, b] = await callThenKill(['alice', 'bob']);
  try {
    await a.page.evaluate(() => window.rtcCamera());
    await playsVideoFrom(b, a.id);
    await b.page.evaluate(() => window.rtcCamera());
    await playsVideoFrom(a, b.id);
    await checkOutageHeld([a, b], 'camera');
  } finally {
    for (const h of [a, b]) await h.context.close();
  }
});

test('with the server killed, a screen share starts and stops', async () => {
  const [a, b] = await callThenKill(['alice', 'bob']);
  try {
    const label = await a.page.evaluate(() => window.rtcShareScreen());
    assert.match(label, /screen/i, 'a real getDisplayMedia track');
    await playsVideoFrom(b, a.id);
    await a.page.evaluate(() => window.rtcStopMedia());
    await b.page.waitForFunction(
      (peer) => window.rtcSummary().videos.some((v) => v.id === peer && v.videoTracks === 0),
      a.id,
      { timeout: 20_000 },
    );
    // And again: the renegotiation after the stop went through too.
    await a.page.evaluate(() => window.rtcShareScreen());
    await playsVideoFrom(b, a.id, 0.3);
    await checkOutageHeld([a, b], 'screen');
  } finally {
    for (const h of [a, b]) await h.context.close();
  }
});

test('with the server killed, an ICE restart completes and data keeps flowing', async () => {
  const [a, b] = await callThenKill(['alice', 'bob']);
  try {
    const before = await a.page.evaluate((peer) => window.rtcLocalUfrag(peer), b.id);
    assert.ok(before, 'getStats names the ICE credentials');
    const receivedBefore = (await summary(b)).received[a.id] ?? 0;
    await a.page.evaluate((peer) => window.rtcRestartIce(peer), b.id);
    await a.page.waitForFunction(
      async ([peer, old]) => {
        const now = await window.rtcLocalUfrag(peer);
        return now && now !== old;
      },
      [b.id, before],
      { timeout: 20_000, polling: 200 },
    );
    const after = await a.page.evaluate((peer) => window.rtcLocalUfrag(peer), b.id);
    const remoteAfter = await b.page.evaluate((peer) => window.rtcLocalUfrag(peer), a.id);
    assert.notEqual(after, before, 'new credentials on the restarting side');
    assert.ok(remoteAfter, 'the other side restarted with it');
    await b.page.waitForFunction(([peer, n]) => (window.rtcSummary().received[peer] ?? 0) >= n + 20, [a.id, receivedBefore], {
      timeout: 15_000,
    });
    await waitForMesh([a, b], 15_000);
    await checkOutageHeld([a, b], 'ice-restart');
  } finally {
    for (const h of [a, b]) await h.context.close();
  }
});

test('with the server killed, a three-way mesh renegotiates on every pair', async () => {
  const handles = await callThenKill(['alice', 'bob', 'carol']);
  try {
    for (const h of handles) await h.page.evaluate(() => window.rtcCamera());
    for (const h of handles) {
      for (const o of handles.filter((x) => x !== h)) await playsVideoFrom(h, o.id);
    }
    await checkOutageHeld(handles, 'mesh');
  } finally {
    for (const h of handles) await h.context.close();
  }
});
