// A tab that comes back to the foreground retries at once instead of waiting out a long backoff
// delay (its timers were throttled while hidden): real Chromium, the real server stopped and
// started again on the same port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './helpers/server.js';
import { launchChromium, openPage } from './helpers/browser.js';
import { summary } from './helpers/mesh.js';

const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pages');
const ARGS = ['--static', pagesDir, '--resume-secret', 'browser-reconnect-now-secret'];
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

test('a page becoming visible while reconnecting skips the backoff delay and is back at once', async () => {
  const h = await openPage(browser, `${server.url}/call.html`);
  try {
    await h.page.evaluate((opts) => window.rtcJoin(opts), {
      url: server.wsUrl,
      room: 'visible-again',
      name: 'ada',
      media: false,
      reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    const port = server.port;
    await server.stop();
    // An attempt announced with a long delay (full jitter may draw short ones first).
    const long = await h.page.waitForFunction(
      () => window.rtcSummary().log.find((e) => e.type === 'reconnecting' && e.delayMs >= 10_000),
      null,
      { timeout: 30_000 },
    );
    const { attempt, delayMs } = await long.jsonValue();
    server = await startServer({ port, args: ARGS });
    const before = (await summary(h)).log.length;
    await h.page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await h.page.waitForFunction(() => window.rtcSummary().state === 'open', null, { timeout: 8_000 });
    const retried = (await summary(h)).log.slice(before).filter((e) => e.type === 'reconnecting');
    assert.deepEqual(retried.map((e) => [e.attempt, e.delayMs]), [[attempt, 0]], `attempt ${attempt} was due in ${delayMs} ms`);
    assert.deepEqual(h.errors, []);
  } finally {
    await h.context.close();
  }
});
