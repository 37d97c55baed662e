// A call in real Chromium outlives its signaling server: the server is killed, media and data keep
// flowing peer-to-peer, the server restarts on the same port with the same resume secret, both
// pages resume with their ids, and a third page then connects to both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './helpers/server.js';
import { launchChromium, openPage } from './helpers/browser.js';
import { summary, waitForMesh } from './helpers/mesh.js';

const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pages');
const ARGS = ['--static', pagesDir, '--resume-secret', 'browser-outage-secret'];
let server;
let browser;

before(async () => {
  server = await startServer({ args: ARGS });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function join(room, name) {
  const handle = await openPage(browser, `${server.url}/outage.html`);
  handle.id = await handle.page.evaluate((opts) => window.rtcJoin(opts), { url: server.wsUrl, room, name });
  return handle;
}

/** Resolves once the remote <video> for `id` has played past `seconds`. */
function videoPast(h, id, seconds, timeout) {
  return h.page.waitForFunction(
    ([peer, t]) => window.rtcSummary().videos.some((v) => v.id === peer && v.videoWidth > 0 && v.currentTime > t),
    [id, seconds],
    { timeout },
  );
}

test('a call outlives a server restart: video advances and data flows while it is down; ids survive; a newcomer connects to both', async () => {
  const room = 'outage';
  const a = await join(room, 'alice');
  const b = await join(room, 'bob');
  let c;
  try {
    await waitForMesh([a, b], 30_000);
    await videoPast(a, b.id, 0.5, 20_000);
    await videoPast(b, a.id, 0.5, 20_000);
    for (const h of [a, b]) await h.page.evaluate(() => window.rtcStream(10));

    await server.kill(); // SIGKILL: no close frames
    for (const h of [a, b]) {
      await h.page.waitForFunction(() => window.rtcSummary().state !== 'open', null, { timeout: 15_000 });
    }
    // While the server is down: the remote video keeps playing and data keeps arriving.
    const during = await Promise.all([a, b].map(summary));
    for (const [h, s, other] of [[a, during[0], b], [b, during[1], a]]) {
      const t = s.videos.find((v) => v.id === other.id).currentTime;
      await videoPast(h, other.id, t + 1, 15_000);
      const got = s.received[other.id] ?? 0;
      await h.page.waitForFunction(([peer, n]) => (window.rtcSummary().received[peer] ?? 0) >= n + 10, [other.id, got], { timeout: 15_000 });
      const now = await summary(h);
      assert.notEqual(now.state, 'open', 'the server is still down');
      assert.notEqual(now.state, 'closed');
    }

    server = await startServer({ port: server.port, args: ARGS });
    for (const h of [a, b]) {
      await h.page.waitForFunction(() => window.rtcSummary().state === 'open', null, { timeout: 20_000 });
      assert.equal((await summary(h)).id, h.id, 'same id after the restart');
    }

    c = await join(room, 'carol');
    await waitForMesh([a, b, c], 30_000);
    await videoPast(c, a.id, 0.2, 20_000);
    await videoPast(c, b.id, 0.2, 20_000);

    for (const h of [a, b]) {
      const s = await summary(h);
      assert.deepEqual(s.log.filter((e) => e.type === 'peer-left'), [], 'nobody left');
      assert.deepEqual(s.log.filter((e) => e.type === 'peer-state' && ['failed', 'closed'].includes(e.state)), []);
      assert.deepEqual(s.violations, [], 'data arrived once and in order');
      assert.deepEqual(h.errors, []);
    }
    const [sa, sb] = await Promise.all([a, b].map(summary));
    console.log(
      `[browser-outage] data a->b sent ${sa.sent[b.id]} received ${sb.received[a.id]}; ` +
        `b->a sent ${sb.sent[a.id]} received ${sa.received[b.id]}`,
    );
  } finally {
    for (const h of [a, b, c].filter(Boolean)) await h.context.close();
  }
});
