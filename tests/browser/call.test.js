// Real Chromium pages with fake camera/mic, connected through the real reference server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './helpers/server.js';
import { launchChromium, openPage } from './helpers/browser.js';
import { summary, waitForMesh } from './helpers/mesh.js';

const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pages');
let server;
let browser;

before(async () => {
  server = await startServer({ args: ['--static', pagesDir] });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function join(room, name, { media = true } = {}) {
  const handle = await openPage(browser, `${server.url}/call.html`);
  handle.id = await handle.page.evaluate((opts) => window.rtcJoin(opts), { url: server.wsUrl, room, name, media });
  return handle;
}

async function closeAll(handles) {
  for (const h of handles) await h.context.close();
}

test('two pages receive each other\'s audio and video; the remote <video> plays', async () => {
  const room = 'media';
  const a = await join(room, 'alice');
  const b = await join(room, 'bob');
  try {
    await waitForMesh([a, b]);
    for (const [self, other] of [[a, b], [b, a]]) {
      await self.page.waitForFunction(
        (id) => window.rtcSummary().remote.some((r) => r.id === id && r.kinds.includes('audio') && r.kinds.includes('video') && r.videoWidth > 0),
        other.id,
        { timeout: 20_000 },
      );
    }
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
  } finally {
    await closeAll([a, b]);
  }
});

test('media added mid-call renegotiates: a data-only page starts its camera, replaces it, stops it; the other side follows', async () => {
  const room = 'late-media';
  const a = await join(room, 'alice', { media: false });
  const b = await join(room, 'bob', { media: false });
  try {
    await waitForMesh([a, b]);
    assert.deepEqual((await summary(b)).remote, [], 'no media yet');
    assert.deepEqual(await a.page.evaluate(() => window.rtcSetMedia(true)), ['audio', 'video']);
    await b.page.waitForFunction(
      (id) => window.rtcSummary().remote.some((r) => r.id === id && r.kinds.includes('audio') && r.kinds.includes('video') && r.videoWidth > 0),
      a.id,
      { timeout: 20_000 },
    );
    // Replacing the stream reuses the senders (replaceTrack): no new remote tracks, video goes on.
    const before = (await summary(b)).remote.find((r) => r.id === a.id);
    await a.page.evaluate(() => window.rtcSetMedia(true));
    await b.page.waitForFunction(
      ([id, t]) => window.rtcSummary().remote.some((r) => r.id === id && r.currentTime > t + 0.5),
      [a.id, before.currentTime],
      { timeout: 20_000 },
    );
    assert.equal((await summary(b)).remote.find((r) => r.id === a.id).trackEvents, before.trackEvents);
    // null stops sending: the senders are removed and, after renegotiation, the remote stream
    // loses both tracks.
    assert.equal((await summary(b)).remote.find((r) => r.id === a.id).streamTracks, 2);
    assert.deepEqual(await a.page.evaluate(() => window.rtcSetMedia(false)), []);
    await b.page.waitForFunction(
      (id) => window.rtcSummary().remote.some((r) => r.id === id && r.streamTracks === 0),
      a.id,
      { timeout: 20_000 },
    );
    // The call stayed healthy through both renegotiations.
    await waitForMesh([a, b]);
    const errors = (await summary(a)).log.filter((e) => e.type === 'error').concat((await summary(b)).log.filter((e) => e.type === 'error'));
    assert.deepEqual(errors, []);
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
  } finally {
    await closeAll([a, b]);
  }
});

test('data-channel messages flow both ways', async () => {
  const room = 'data';
  const a = await join(room, 'alice', { media: false });
  const b = await join(room, 'bob', { media: false });
  try {
    await waitForMesh([a, b]);
    await a.page.waitForFunction((id) => window.rtcSummary().log.some((e) => e.type === 'channel' && e.id === id && e.state === 'open'), b.id, { timeout: 20_000 });
    await b.page.waitForFunction((id) => window.rtcSummary().log.some((e) => e.type === 'channel' && e.id === id && e.state === 'open'), a.id, { timeout: 20_000 });
    await a.page.evaluate((id) => window.rtcSend(id, 'hello from alice'), b.id);
    await b.page.evaluate((id) => window.rtcSend(id, 'hello from bob'), a.id);
    await b.page.waitForFunction((id) => window.rtcSummary().received.some((m) => m.from === id && m.data === 'hello from alice'), a.id, { timeout: 10_000 });
    await a.page.waitForFunction((id) => window.rtcSummary().received.some((m) => m.from === id && m.data === 'hello from bob'), b.id, { timeout: 10_000 });
  } finally {
    await closeAll([a, b]);
  }
});

test('a third page joins and the mesh is complete; a page that closes is removed everywhere', async () => {
  const room = 'mesh';
  const a = await join(room, 'alice');
  const b = await join(room, 'bob');
  const c = await join(room, 'carol');
  try {
    await waitForMesh([a, b, c]);
    await c.page.evaluate(() => window.rtcClose());
    for (const h of [a, b]) {
      await h.page.waitForFunction(
        (id) => {
          const s = window.rtcSummary();
          return s.log.some((e) => e.type === 'peer-left' && e.id === id) && !s.peers.some((p) => p.id === id) && !s.remote.some((r) => r.id === id);
        },
        c.id,
        { timeout: 15_000 },
      );
    }
    // The remaining pair is still connected.
    await waitForMesh([a, b]);
  } finally {
    await closeAll([a, b, c]);
  }
});

test('connect() to open data channel: median over 10 runs (printed, not asserted)', async () => {
  const times = [];
  for (let run = 0; run < 10; run++) {
    const room = `timing-${run}`;
    const a = await join(room, 'alice', { media: false });
    const b = await join(room, 'bob', { media: false });
    try {
      await b.page.waitForFunction(() => window.rtcSummary().firstChannelOpenMs !== null, null, { timeout: 20_000 });
      times.push((await summary(b)).firstChannelOpenMs);
    } finally {
      await closeAll([a, b]);
    }
  }
  times.sort((x, y) => x - y);
  const median = (times[4] + times[5]) / 2;
  console.log(`[browser] connect() -> open data channel (joining page), 10 runs: median ${median.toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[9].toFixed(1)} ms`);
  assert.equal(times.length, 10);
});
