// The `dyson` dialect in Chromium: two SDK pages logged in as two chat accounts call each other
// through the DysonNetwork-style chat server (tests/interop/dyson), media both ways; a page whose
// account is not a member of the chat is refused with `forbidden` (read by the browser's probe of
// the same URL, since a browser hides a refused upgrade's status).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { startServer } from './helpers/server.js';
import { launchChromium, openPage } from './helpers/browser.js';
import { summary, waitForMesh } from './helpers/mesh.js';
import { startDyson, CHAT, ACCOUNTS, SECRET } from '../interop/dyson/helpers/dyson.js';

const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pages');
const T = 20_000;
let server; // serves the pages and the SDK; the call itself goes through the chat server
let browser;
let dyson;
const handles = [];

before(async () => {
  server = await startServer({ args: ['--static', pagesDir] });
  browser = await launchChromium();
  dyson = await startDyson();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await dyson?.stop();
});
afterEach(async () => {
  for (const h of handles.splice(0)) await h.context.close();
  assert.ok(dyson.alive(), `the chat server died:\n${dyson.output()}`);
  assert.doesNotMatch(dyson.output(), /^closing /m, 'a page sent a packet the server closes sockets on');
});

const token = (account) =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(account.id).setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));

async function page() {
  const h = await openPage(browser, `${server.url}/call.html`);
  handles.push(h);
  return h;
}

async function join(account, name) {
  const h = await page();
  h.id = await h.page.evaluate((opts) => window.rtcJoin(opts), {
    url: dyson.url, room: CHAT, name, dialect: 'dyson', token: await token(account),
  });
  return h;
}

test('two chat accounts call each other through the chat server: media both ways, names from the accounts', async () => {
  const a = await join(ACCOUNTS.alice, 'typed by alice');
  const b = await join(ACCOUNTS.carol, 'typed by carol');
  await waitForMesh([a, b]);
  for (const [self, other] of [[a, b], [b, a]]) {
    await self.page.waitForFunction(
      (id) => window.rtcSummary().remote.some((r) => r.id === id && r.kinds.includes('audio') && r.kinds.includes('video') && r.videoWidth > 0),
      other.id,
      { timeout: T },
    );
  }
  assert.match(a.id, new RegExp(`^${ACCOUNTS.alice.id}:[0-9a-f]{8}$`));
  assert.deepEqual((await summary(a)).peers.map((p) => p.name), ['Carol']);
  assert.deepEqual((await summary(b)).peers.map((p) => p.name), ['Alice A.']);
  for (const h of [a, b]) {
    assert.deepEqual((await summary(h)).log.filter((e) => e.type === 'error'), []);
    assert.deepEqual(h.errors, []);
  }
});

test('an account outside the chat is refused with forbidden, naming the room', async () => {
  const h = await page();
  const failure = await h.page.evaluate(async (opts) => {
    try {
      await window.rtcJoin(opts);
      return null;
    } catch (e) {
      return { code: e.code, fatal: e.fatal, message: e.message };
    }
  }, { url: dyson.url, room: CHAT, name: 'dave', dialect: 'dyson', token: await token(ACCOUNTS.dave), media: false });
  assert.ok(failure, 'joined');
  assert.equal(failure.code, 'forbidden');
  assert.equal(failure.fatal, true);
  assert.ok(failure.message.includes(CHAT), failure.message);
});
