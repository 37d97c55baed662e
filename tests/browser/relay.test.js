// The `relay` dialect in Chromium: an SDK page and a page written the way the WebRTC tutorials
// write a client (pages/guide.html: plain RTCPeerConnection, the relay's three message types, no
// SDK) call each other through the tutorial broadcast relay (tests/interop/relay), media both
// ways. The relay dies on any frame it cannot parse, so each test ends by checking it is alive.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './helpers/server.js';
import { launchChromium, openPage } from './helpers/browser.js';
import { summary } from './helpers/mesh.js';
import { startRelay } from '../interop/relay/helpers/relay.js';

const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pages');
const T = 20_000;
let server; // serves the pages and the SDK; the call itself goes through the relay
let browser;
let relay;
const handles = [];

before(async () => {
  server = await startServer({ args: ['--static', pagesDir] });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});
afterEach(async () => {
  for (const h of handles.splice(0)) await h.context.close();
  const alive = relay.alive();
  const output = relay.output();
  await relay.stop();
  assert.ok(alive, `the relay died during the test:\n${output}`);
  assert.doesNotMatch(output, /Unknown message type/, 'a client sent a type the relay drops');
});

async function sdkPage(media) {
  const h = await openPage(browser, `${server.url}/call.html`);
  handles.push(h);
  h.id = await h.page.evaluate((opts) => window.rtcJoin(opts), {
    url: relay.url,
    room: 'guide-call',
    name: 'sdk',
    media,
    dialect: 'relay',
  });
  return h;
}

async function guidePage() {
  const h = await openPage(browser, `${server.url}/guide.html`);
  handles.push(h);
  h.id = await h.page.evaluate((url) => window.guideStart({ url }), relay.url);
  return h;
}

/** The SDK page shows the guide's camera: audio and video tracks, frames decoded. */
const sdkSeesGuide = (sdk, guide) =>
  sdk.page.waitForFunction(
    (id) => window.rtcSummary().remote.some((r) => r.id === id && r.kinds.includes('audio') && r.kinds.includes('video') && r.videoWidth > 0),
    guide.id,
    { timeout: T },
  );
/** The guide page shows the SDK page's camera. */
const guideSeesSdk = (guide) =>
  guide.page.waitForFunction(
    () => {
      const s = window.guideSummary();
      return s.kinds.join() === 'audio,video' && s.videoWidth > 0;
    },
    null,
    { timeout: T },
  );

test('a tutorial page calls an SDK page through the relay: media both ways, the caller joins the roster', async () => {
  relay = await startRelay();
  const sdk = await sdkPage(true);
  const guide = await guidePage();
  await guide.page.evaluate((id) => window.guideCall(id), sdk.id);

  await sdkSeesGuide(sdk, guide);
  await guideSeesSdk(guide);
  const s = await summary(sdk);
  assert.deepEqual(s.peers.map((p) => [p.id, p.name]), [[guide.id, '']], 'the caller has no name: it never announced one');
  assert.equal(s.peers[0].state, 'connected');
  const g = await guide.page.evaluate(() => window.guideSummary());
  assert.equal(g.connectionState, 'connected');
  assert.equal(g.answersApplied, 1, 'the SDK answered the tutorial offer');
  assert.ok(g.candidatesAdded > 0, 'the SDK sends candidates in the tutorial shape');
  assert.deepEqual(g.errors, []);
  assert.deepEqual(s.log.filter((e) => e.type === 'error'), []);
  assert.deepEqual(sdk.errors, []);
  assert.deepEqual(guide.errors, []);
});

test('an SDK page that starts its camera mid-call offers to the tutorial page, which answers; media both ways', async () => {
  relay = await startRelay();
  const sdk = await sdkPage(false);
  const guide = await guidePage();
  await guide.page.evaluate((id) => window.guideCall(id), sdk.id);
  await sdkSeesGuide(sdk, guide);
  const before = await guide.page.evaluate(() => window.guideSummary());
  assert.deepEqual(before.kinds, [], 'no media from the SDK page yet');
  const answeredBefore = before.offersAnswered;

  assert.deepEqual(await sdk.page.evaluate(() => window.rtcSetMedia(true)), ['audio', 'video']);
  await guideSeesSdk(guide);
  const g = await guide.page.evaluate(() => window.guideSummary());
  assert.ok(g.offersAnswered > answeredBefore, 'the camera reached the tutorial page by an SDK offer it answered');
  assert.deepEqual(g.errors, []);
  assert.deepEqual((await summary(sdk)).log.filter((e) => e.type === 'error'), []);
  assert.deepEqual(sdk.errors, []);
  assert.deepEqual(guide.errors, []);
});
