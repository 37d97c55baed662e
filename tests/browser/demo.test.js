// The Angular demo (demo/app) driven through its real UI in two Chromium contexts, against the
// real reference server. Needs the app built first: `npx ng build` in demo/app (scripts/test does).
// Screenshots of every step go to test-results/demo/; UPDATE_DEMO_SCREENSHOT=1 also refreshes
// docs/demo.png (the two-person call), docs/demo-four.png (four people) and docs/demo-phone.png
// (six people on a phone).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './helpers/server.js';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, launchChromium } from './helpers/browser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const appDir = path.join(root, 'demo/app/dist/app/browser');
const shotsDir = path.join(root, 'test-results/demo');
// A fixed resume key so the restarted server accepts the sessions the first one issued.
const serverArgs = ['--static', appDir, '--resume-secret', 'demo-test-resume-secret'];
const WAIT = { timeout: 30_000 };

let browser;

before(async () => {
  assert.ok(existsSync(path.join(appDir, 'index.html')), `demo app not built: run \`npx ng build\` in demo/app (missing ${appDir})`);
  await mkdir(shotsDir, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

async function openApp(server, name, room, { denyMedia = false, viewport = { width: 1280, height: 760 }, inBrowser = browser } = {}) {
  const context = await inBrowser.newContext({
    permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'],
    viewport,
  });
  if (denyMedia) {
    // What the browser does when the user blocks camera and microphone (until a test sets
    // window.__allowMedia, as a user who changes the site's permission).
    await context.addInitScript(() => {
      const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (constraints) =>
        window.__allowMedia ? real(constraints) : Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
  }
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${server.url}/?room=${encodeURIComponent(room)}`);
  await page.getByTestId('join-name').fill(name);
  return { name, page, context, errors };
}

const shot = (who, step) => who.page.screenshot({ path: path.join(shotsDir, `${step}-${who.name}.png`) });

/** The tile `who` shows for the peer called `name`. */
const remoteTile = (who, name) => who.page.locator(`[data-testid="tile-remote"][data-peer-name="${name}"]`);

/** Waits until `who` shows `name`'s tile as connected with decoded video frames. */
async function waitForLiveTile(who, name) {
  await remoteTile(who, name).locator('[data-testid="tile-state"]', { hasText: 'connected' }).waitFor(WAIT);
  await who.page.waitForFunction(
    (n) => document.querySelector(`[data-testid="tile-remote"][data-peer-name="${n}"] video`)?.videoWidth > 0,
    name,
    WAIT,
  );
}

/** SIGTERM, but a server that does not exit promptly fails the test instead of hanging it. */
async function stopServer(s) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('server did not exit within 10 s of SIGTERM')), 10_000);
  });
  try {
    await Promise.race([s.stop(), timeout]);
  } finally {
    clearTimeout(timer);
    await s.kill();
  }
}

async function waitForStatus(who, state) {
  await who.page.locator(`[data-testid="status"][data-state="${state}"]`).waitFor(WAIT);
}

/** Whether the local preview's microphone track is enabled, read off the <video> the user sees. */
const localAudioEnabled = (who) =>
  who.page.getByTestId('tile-local').locator('video').evaluate((v) => v.srcObject.getAudioTracks()[0].enabled);

test('two people join a room, see and chat with each other, survive a server restart, and leave', async () => {
  let server = await startServer({ args: serverArgs });
  const room = `demo-${Date.now().toString(36)}`;
  const alice = await openApp(server, 'Alice', room);
  const bob = await openApp(server, 'Bob', room);
  try {
    // The room comes from ?room= and the invite link points back to it.
    assert.equal(await alice.page.getByTestId('join-room').inputValue(), room);
    await alice.page.getByTestId('copy-invite').click();
    await alice.page.getByTestId('copy-invite').filter({ hasText: 'Link copied' }).waitFor(WAIT);
    const invite = new URL(await alice.page.evaluate(() => navigator.clipboard.readText()));
    assert.equal(invite.searchParams.get('room'), room);
    await shot(alice, '01-join-form');

    await alice.page.getByTestId('join-submit').click();
    await waitForStatus(alice, 'open');
    await bob.page.getByTestId('join-submit').click();
    await waitForStatus(bob, 'open');

    // Each side shows the other's live video in a tile that says connected.
    for (const [self, other] of [[alice, bob], [bob, alice]]) {
      await waitForLiveTile(self, other.name);
      assert.match(await remoteTile(self, other.name).getByTestId('tile-name').textContent(), new RegExp(other.name));
      // The SDK's quality event, measured from getStats(), shows on the tile: good on loopback.
      const quality = remoteTile(self, other.name).getByTestId('tile-quality');
      await quality.waitFor(WAIT);
      assert.equal(await quality.getAttribute('data-quality'), 'good');
      assert.match(await quality.getAttribute('title'), /^Connection good \(\d+ ms round trip\)$/);
    }
    await shot(alice, '02-call');
    await shot(bob, '02-call');

    // Chat travels over the data channel; own messages are marked as such.
    await alice.page.getByTestId('chat-input').fill('Hi Bob! Can you hear me?');
    await alice.page.getByTestId('chat-input').press('Enter');
    const received = bob.page.getByTestId('chat-message').filter({ hasText: 'Hi Bob! Can you hear me?' });
    await received.waitFor(WAIT);
    assert.equal(await received.getAttribute('data-own'), 'false');
    assert.equal((await received.getByTestId('chat-from').textContent()).trim(), 'Alice');
    const sent = alice.page.getByTestId('chat-message').filter({ hasText: 'Hi Bob! Can you hear me?' });
    assert.equal(await sent.getAttribute('data-own'), 'true');
    await bob.page.getByTestId('chat-input').fill('Loud and clear, Alice.');
    await bob.page.getByTestId('chat-send').click();
    await alice.page.getByTestId('chat-message').filter({ hasText: 'Loud and clear, Alice.' }).waitFor(WAIT);
    // No focus ring on the input in the screenshot that doubles as docs/demo.png.
    await alice.page.evaluate(() => document.activeElement?.blur());
    await shot(alice, '03-chat');
    await shot(bob, '03-chat');
    if (process.env.UPDATE_DEMO_SCREENSHOT === '1') {
      await copyFile(path.join(shotsDir, '03-chat-Alice.png'), path.join(root, 'docs/demo.png'));
    }

    // Mute flips the local microphone track's `enabled`; the other side shows the muted icon.
    assert.equal(await localAudioEnabled(alice), true);
    await alice.page.getByTestId('mic-toggle').click();
    assert.equal(await localAudioEnabled(alice), false);
    await remoteTile(bob, 'Alice').getByTestId('tile-mic-off').waitFor(WAIT);
    await shot(alice, '04-muted');
    await alice.page.getByTestId('mic-toggle').click();
    assert.equal(await localAudioEnabled(alice), true);
    await remoteTile(bob, 'Alice').getByTestId('tile-mic-off').waitFor({ state: 'detached', ...WAIT });

    // Server goes away: both show the reconnect countdown in the status bar, the attempt number
    // only as a detail; the tiles keep showing the media, which is still up.
    const { port } = server;
    await stopServer(server);
    for (const [who, other] of [[alice, bob], [bob, alice]]) {
      await waitForStatus(who, 'reconnecting');
      await who.page
        .getByTestId('status-text')
        .filter({ hasText: /^Reconnecting… (next try in \d+ s|trying now)$/ })
        .waitFor(WAIT);
      assert.match(await who.page.getByTestId('status-attempt').textContent(), /^attempt \d+$/);
      // In-band signaling: changes to the call still reach the other person without the server.
      await who.page
        .getByTestId('status-in-band')
        .filter({ hasText: /still reach\s+1 person directly/ })
        .waitFor(WAIT);
      await who.page.getByTestId('retry-now').waitFor(WAIT);
      assert.equal(await who.page.getByTestId('tile-local').getByTestId('tile-state').count(), 0, 'no signaling state on your own tile');
      assert.equal(await remoteTile(who, other.name).getByTestId('tile-state').textContent(), 'connected');
    }
    await shot(alice, '05-reconnecting');

    // Same port again: both sessions come back and the call is still up. Alice does not wait
    // for her backoff: "Retry now" (it may already be gone if her own timer beat the click).
    server = await startServer({ port, args: serverArgs });
    await alice.page.getByTestId('retry-now').click({ timeout: 2000 }).catch(() => {});
    for (const [self, other] of [[alice, bob], [bob, alice]]) {
      await waitForStatus(self, 'open');
      await waitForLiveTile(self, other.name);
      assert.equal(await self.page.getByTestId('retry-now').count(), 0, 'no Retry now once open');
    }
    await shot(alice, '06-reconnected');

    // Bob leaves: his tile disappears on Alice's side and he is back at the join form.
    await bob.page.getByTestId('leave').click();
    await bob.page.getByTestId('join-form').waitFor(WAIT);
    await remoteTile(alice, 'Bob').waitFor({ state: 'detached', ...WAIT });
    assert.equal(await alice.page.getByTestId('tile-remote').count(), 0);
    await shot(alice, '07-after-leave');

    assert.deepEqual(alice.errors, []);
    assert.deepEqual(bob.errors, []);
  } finally {
    await alice.context.close();
    await bob.context.close();
    await stopServer(server);
  }
});

test('without camera access a person joins with chat only, says so, and still receives video', async () => {
  const server = await startServer({ args: serverArgs });
  const room = `nocam-${Date.now().toString(36)}`;
  const carol = await openApp(server, 'Carol', room, { denyMedia: true });
  const dave = await openApp(server, 'Dave', room);
  try {
    await carol.page.getByTestId('join-submit').click();
    await waitForStatus(carol, 'open');
    const notice = carol.page.getByTestId('media-notice');
    await notice.waitFor(WAIT);
    assert.equal(await notice.getAttribute('data-code'), 'camera-denied');
    assert.match(await notice.textContent(), /chat only/);
    assert.equal(await carol.page.getByTestId('mic-toggle').isDisabled(), true);
    assert.equal(await carol.page.getByTestId('camera-toggle').isDisabled(), true);

    await dave.page.getByTestId('join-submit').click();
    await waitForStatus(dave, 'open');
    await waitForLiveTile(carol, 'Dave');
    await remoteTile(dave, 'Carol').locator('[data-testid="tile-state"]', { hasText: 'connected' }).waitFor(WAIT);

    await carol.page.getByTestId('chat-input').fill('No camera here, but I can see you.');
    await carol.page.getByTestId('chat-send').click();
    await dave.page.getByTestId('chat-message').filter({ hasText: 'No camera here, but I can see you.' }).waitFor(WAIT);
    await shot(carol, '08-chat-only');
    await shot(dave, '08-chat-only');

    // Carol allows the camera after all: "Try again" brings it into the call without rejoining.
    await carol.page.getByTestId('media-retry').click();
    await carol.page.getByTestId('media-retry').filter({ hasText: 'Try the camera again' }).waitFor(WAIT);
    assert.match(await notice.textContent(), /chat only/, 'still denied: nothing changes');
    await carol.page.evaluate(() => (window.__allowMedia = true));
    await carol.page.getByTestId('media-retry').click();
    await notice.waitFor({ state: 'detached', ...WAIT });
    await carol.page.waitForFunction(() => !document.querySelector('[data-testid="camera-toggle"]').disabled, null, WAIT);
    await waitForLiveTile(dave, 'Carol');
    assert.deepEqual(carol.errors, []);
    assert.deepEqual(dave.errors, []);
  } finally {
    await carol.context.close();
    await dave.context.close();
    await stopServer(server);
  }
});

test('joining a full room shows "room full" in plain words with its code', async () => {
  const server = await startServer({ args: [...serverArgs, '--max-peers', '1'] });
  const room = `full-${Date.now().toString(36)}`;
  const erin = await openApp(server, 'Erin', room);
  const frank = await openApp(server, 'Frank', room);
  try {
    await erin.page.getByTestId('join-submit').click();
    await waitForStatus(erin, 'open');
    await frank.page.getByTestId('join-submit').click();
    const error = frank.page.getByTestId('join-error');
    await error.waitFor(WAIT);
    assert.equal(await error.getAttribute('data-code'), 'room-full');
    assert.match(await error.textContent(), /This room is full\s+room-full/);
    // Under the headline, the SDK's message names the room, quoted.
    assert.equal(await frank.page.getByTestId('join-error-detail').textContent(), `room "${room}" is full`);
    await frank.page.getByTestId('join-submit').filter({ hasText: /^\s*Join\s*$/ }).waitFor(WAIT);
    await shot(frank, '09-room-full');
    assert.deepEqual(frank.errors, []);
  } finally {
    await erin.context.close();
    await frank.context.close();
    await stopServer(server);
  }
});

test('the join form says why Join is disabled and counts a long name; a long name fits its tile', async () => {
  const server = await startServer({ args: serverArgs });
  const room = `names-${Date.now().toString(36)}`;
  const long = 'Maximiliane Theodora Wolkenstein-Trostb'; // 39 characters
  const erin = await openApp(server, 'Erin', room);
  const max = await openApp(server, long, room);
  try {
    await erin.page.getByTestId('join-name').fill('   ');
    assert.match(await erin.page.getByTestId('join-name-hint').textContent(), /^Enter your name to join/);
    assert.equal(await erin.page.getByTestId('join-submit').isDisabled(), true);
    await erin.page.getByTestId('join-name').fill('Erin');
    assert.equal(await erin.page.getByTestId('join-name-hint').count(), 0);
    assert.equal((await max.page.getByTestId('join-name-hint').textContent()).trim(), '39/40 characters');
    await max.page.getByTestId('join-name').pressSequentially('xyz');
    assert.equal(await max.page.getByTestId('join-name').inputValue(), `${long}x`, 'the field stops at 40, and says so');
    await max.page.getByTestId('join-name').fill(long);

    await erin.page.getByTestId('join-submit').click();
    await waitForStatus(erin, 'open');
    await max.page.getByTestId('join-submit').click();
    await waitForStatus(max, 'open');
    await waitForLiveTile(erin, long);
    const fit = await remoteTile(erin, long).evaluate((tile) => {
      const box = tile.getBoundingClientRect();
      const name = tile.querySelector('[data-testid="tile-name"]');
      const badge = tile.querySelector('[data-testid="tile-state"]').getBoundingClientRect();
      return { ellipsized: name.scrollWidth > name.clientWidth, title: name.title, badgeInside: badge.right <= box.right + 0.5 && badge.left >= box.left };
    });
    assert.deepEqual(fit, { ellipsized: true, title: long, badgeInside: true });
    assert.deepEqual(erin.errors, []);
    assert.deepEqual(max.errors, []);
  } finally {
    await erin.context.close();
    await max.context.close();
    await stopServer(server);
  }
});

/** Every tile of `who` can be brought fully into view inside the grid and the window. */
async function everyTileReachable(who) {
  return who.page.evaluate(() => {
    const grid = document.querySelector('[data-testid="video-grid"]');
    const problems = [];
    for (const tile of grid.querySelectorAll('.tile')) {
      tile.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      const t = tile.getBoundingClientRect();
      const g = grid.getBoundingClientRect();
      const name = tile.querySelector('[data-testid="tile-name"]').textContent;
      if (t.top < g.top - 1 || t.bottom > g.bottom + 1) problems.push(`${name}: outside the grid`);
      if (t.top < -1 || t.bottom > innerHeight + 1 || t.left < -1 || t.right > innerWidth + 1) problems.push(`${name}: outside the window`);
    }
    if (document.documentElement.scrollWidth > innerWidth) problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${innerWidth})`);
    return problems;
  });
}

test('five people fit the grid of a laptop window, and on a phone every tile can be scrolled to', async () => {
  const server = await startServer({ args: serverArgs });
  const room = `five-${Date.now().toString(36)}`;
  const names = ['Ann', 'Ben', 'Cat', 'Dan', 'Eve'];
  // Two cameras, three chat-only: enough tiles, and five video encoders would not fit two cores.
  const people = [];
  for (const [i, name] of names.entries()) people.push(await openApp(server, name, room, { denyMedia: i >= 2 }));
  const phone = await openApp(server, 'Phil', room, { denyMedia: true, viewport: { width: 390, height: 844 } });
  try {
    for (const [i, who] of [...people, phone].entries()) {
      await who.page.getByTestId('join-submit').click();
      await waitForStatus(who, 'open');
      if (i === 3) {
        // Four people: the desktop screenshot in docs/.
        for (const other of ['Ben', 'Cat', 'Dan']) {
          await remoteTile(people[0], other).locator('[data-testid="tile-state"]', { hasText: 'connected' }).waitFor(WAIT);
        }
        await waitForLiveTile(people[0], 'Ben');
        await shot(people[0], '08-four-people');
      }
    }
    for (const who of [people[0], phone]) {
      await who.page.waitForFunction(() => document.querySelectorAll('[data-testid="tile-remote"]').length === 5, null, WAIT);
    }
    // The first row is not cut off above the grid (the old align-content: center did that).
    const top = await people[0].page.evaluate(() => {
      const grid = document.querySelector('[data-testid="video-grid"]').getBoundingClientRect();
      return document.querySelector('[data-testid="tile-local"]').getBoundingClientRect().top - grid.top;
    });
    assert.ok(top >= 0, `the first row starts ${top}px above the grid`);
    const overflow = await people[0].page.evaluate(() => {
      const grid = document.querySelector('[data-testid="video-grid"]');
      return grid.scrollHeight - grid.clientHeight;
    });
    assert.ok(overflow <= 0, `six tiles overflow a 1280×760 window by ${overflow}px`);
    await shot(people[0], '08-six-people');
    await shot(phone, '08-six-people-phone');
    if (process.env.UPDATE_DEMO_SCREENSHOT === '1') {
      await copyFile(path.join(shotsDir, '08-four-people-Ann.png'), path.join(root, 'docs/demo-four.png'));
      await copyFile(path.join(shotsDir, '08-six-people-phone-Phil.png'), path.join(root, 'docs/demo-phone.png'));
    }
    assert.deepEqual(await everyTileReachable(people[0]), []);
    assert.deepEqual(await everyTileReachable(phone), []);

    // The chat says who came (everyone after Ann) and who went.
    const notices = (who) => who.page.getByTestId('chat-notice').allTextContents();
    await people[0].page.waitForFunction(() => document.querySelectorAll('[data-testid="chat-notice"]').length === 5, null, WAIT);
    assert.deepEqual((await notices(people[0])).map((t) => t.trim().replace(/\s+\d\d:\d\d$/, '')), ['Ben joined', 'Cat joined', 'Dan joined', 'Eve joined', 'Phil joined']);

    // On the phone the chat is below the videos: messages that arrive off screen are counted on
    // the Chat button, and going to the chat reads them.
    await phone.page.evaluate(() => scrollTo(0, 0));
    assert.equal(await phone.page.getByTestId('unread').count(), 0);
    for (const text of ['first', 'second']) {
      await people[0].page.getByTestId('chat-input').fill(text);
      await people[0].page.getByTestId('chat-input').press('Enter');
    }
    await phone.page.getByTestId('unread').filter({ hasText: /^2$/ }).waitFor(WAIT);
    await shot(phone, '08-phone-unread');
    await phone.page.getByTestId('chat-jump').click();
    await phone.page.getByTestId('unread').waitFor({ state: 'detached', ...WAIT });
    assert.ok(await phone.page.getByTestId('chat-message').filter({ hasText: 'second' }).isVisible());
    assert.equal(await people[0].page.getByTestId('chat-jump').isVisible(), false, 'no Chat button beside a visible chat');

    await people[4].context.close();
    await people[0].page.getByTestId('chat-notice').filter({ hasText: /^\s*Eve left/ }).waitFor(WAIT);
    for (const who of [...people, phone]) assert.deepEqual(who.errors, []);
  } finally {
    for (const who of [...people, phone]) await who.context.close().catch(() => {});
    await stopServer(server);
  }
});

test('screen sharing replaces the camera, or adds video for a chat-only person, and stops again', async () => {
  const server = await startServer({ args: serverArgs });
  const room = `share-${Date.now().toString(36)}`;
  const ann = await openApp(server, 'Ann', room);
  const ben = await openApp(server, 'Ben', room, { denyMedia: true });
  const hasVideo = (who, name) => who.page.waitForFunction(
    (n) => {
      const v = document.querySelector(`[data-testid="tile-remote"][data-peer-name="${n}"] video`);
      return v && !v.classList.contains('hidden') && v.videoWidth > 0;
    },
    name,
    WAIT,
  );
  try {
    for (const who of [ann, ben]) {
      await who.page.getByTestId('join-submit').click();
      await waitForStatus(who, 'open');
    }
    await hasVideo(ben, 'Ann');
    await remoteTile(ann, 'Ben').locator('.tile__avatar').waitFor(WAIT);
    // Ann's (fake) microphone beeps: her tile on Ben's side lights up while it does.
    await ben.page.locator('[data-testid="tile-remote"][data-peer-name="Ann"][data-speaking="true"]').waitFor(WAIT);
    assert.equal(await remoteTile(ann, 'Ben').getAttribute('data-speaking'), 'false', 'Ben has no microphone');

    // Ben had no camera: his screen is a new video track, negotiated by the SDK, that Ann plays.
    await ben.page.getByTestId('share-toggle').click();
    await ben.page.getByTestId('share-toggle').filter({ hasText: 'Stop sharing' }).waitFor(WAIT);
    await hasVideo(ann, 'Ben');
    await shot(ann, '10-ben-shares');
    await ben.page.getByTestId('share-toggle').click();
    await remoteTile(ann, 'Ben').locator('.tile__avatar').waitFor(WAIT);

    // Ann's screen replaces her camera; her own tile shows it unmirrored, Ben keeps a live picture.
    await ann.page.getByTestId('share-toggle').click();
    await ann.page.waitForFunction(() => {
      const v = document.querySelector('[data-testid="tile-local"] video');
      return v.srcObject?.getVideoTracks()[0]?.label.startsWith('screen') && !v.classList.contains('mirror');
    }, null, WAIT);
    await hasVideo(ben, 'Ann');
    await ann.page.getByTestId('share-toggle').click();
    await ann.page.waitForFunction(() => {
      const v = document.querySelector('[data-testid="tile-local"] video');
      const t = v.srcObject?.getVideoTracks()[0];
      return t && !t.label.startsWith('screen') && t.readyState === 'live' && v.classList.contains('mirror');
    }, null, WAIT);
    await hasVideo(ben, 'Ann');
    assert.deepEqual(ann.errors, []);
    assert.deepEqual(ben.errors, []);
  } finally {
    await ann.context.close();
    await ben.context.close();
    await stopServer(server);
  }
});

test('camera and microphone can be chosen before joining and switched during the call', async () => {
  // Chromium's fake capture with three cameras (the second is a Y16 depth camera that WebRTC cannot
  // encode, so the test uses the first and the third) and several microphones.
  const devices = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS.map((a) => (a === '--use-fake-device-for-media-stream' ? `${a}=device-count=3` : a)),
  });
  const server = await startServer({ args: serverArgs });
  const room = `devices-${Date.now().toString(36)}`;
  const ann = await openApp(server, 'Ann', room, { inBrowser: devices });
  const ben = await openApp(server, 'Ben', room);
  const localLabel = (kind) => ann.page.evaluate(
    (k) => document.querySelector('[data-testid="tile-local"] video').srcObject.getTracks().find((t) => t.kind === k)?.label,
    kind,
  );
  try {
    const cameras = await ann.page.getByTestId('join-camera').locator('option').allTextContents();
    assert.equal(cameras.length, 4, `default + three cameras: ${cameras}`);
    const third = await ann.page.getByTestId('join-camera').locator('option').nth(3).getAttribute('value');
    await ann.page.getByTestId('join-camera').selectOption(third);
    for (const who of [ann, ben]) {
      await who.page.getByTestId('join-submit').click();
      await waitForStatus(who, 'open');
    }
    assert.equal(await localLabel('video'), cameras[3], 'joined with the camera chosen on the form');
    await waitForLiveTile(ben, 'Ann');

    // During the call: the other camera, another microphone; Ben's picture never stops.
    await ann.page.getByTestId('devices-toggle').click();
    const first = await ann.page.getByTestId('call-camera').locator('option').nth(0).getAttribute('value');
    await ann.page.getByTestId('call-camera').selectOption(first);
    await ann.page.waitForFunction((label) => document.querySelector('[data-testid="tile-local"] video').srcObject.getVideoTracks()[0]?.label === label, cameras[1], WAIT);
    const mics = await ann.page.getByTestId('call-mic').locator('option').allTextContents();
    assert.ok(mics.length >= 2, `microphones: ${mics}`);
    const before = await localLabel('audio');
    const other = mics.find((m) => m !== before);
    await ann.page.getByTestId('call-mic').selectOption({ label: other });
    await ann.page.waitForFunction((label) => document.querySelector('[data-testid="tile-local"] video').srcObject.getAudioTracks()[0]?.label === label, other, WAIT);
    await waitForLiveTile(ben, 'Ann');
    await shot(ann, '11-devices');
    assert.deepEqual(ann.errors, []);
    assert.deepEqual(ben.errors, []);
  } finally {
    await ann.context.close();
    await ben.context.close();
    await devices.close();
    await stopServer(server);
  }
});
