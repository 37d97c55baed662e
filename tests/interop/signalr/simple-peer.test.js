// Cross-checks from the other side in real Chromium, through demo/signalr-hub: a page running
// simple-peer with the official @microsoft/signalr browser client (the Angular tutorial's client
// protocol) calls an SDK page on the signalrtc hub, and a page written like the Ekobit article's
// client (the official client, plain RTCPeerConnection, the codelab message shapes) calls an SDK
// page on the ekobit hub, and a page written like a SnapRTC client (the official client,
// simple-peer without trickle, lz-string) calls and is called by an SDK page on the snaprtc hub,
// both sides closing their hub connections once connected while the call goes on.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, test } from 'node:test';
import { startServer } from '../../browser/helpers/server.js';
import { launchChromium, openPage } from '../../browser/helpers/browser.js';
import { buildHub, startHub, token } from './helpers/hub.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const T = 30_000;

let hub;
let server;
let browser;
let staticDir;
let origin;
const contexts = [];

before(async () => {
  // The pages and the two browser builds they load, served together; node_modules stays unserved.
  staticDir = await mkdtemp(path.join(os.tmpdir(), 'rtc-signalr-pages-'));
  await cp(path.join(here, 'pages'), staticDir, { recursive: true });
  await cp(path.join(root, 'node_modules/@microsoft/signalr/dist/browser/signalr.min.js'), path.join(staticDir, 'signalr.min.js'));
  await cp(path.join(root, 'node_modules/simple-peer/simplepeer.min.js'), path.join(staticDir, 'simplepeer.min.js'));
  await cp(path.join(root, 'node_modules/lz-string/libs/lz-string.min.js'), path.join(staticDir, 'lz-string.min.js'));
  await buildHub();
  hub = await startHub();
  server = await startServer({ args: ['--static', staticDir] });
  // localhost (a secure context for getUserMedia) while the hub is 127.0.0.1: a cross-origin hub.
  origin = `http://localhost:${server.port}`;
  browser = await launchChromium();
}, { timeout: 300_000 });

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await hub?.stop();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
});

async function open(page, join) {
  const handle = await openPage(browser, `${origin}/${page}`);
  contexts.push(handle.context);
  handle.joined = await handle.page.evaluate((opts) => window.rtcJoin(opts), join);
  return handle;
}

const sdkPage = (name) => open('sdk.html', { url: `${hub.ws}/hubs/signalrtc`, name, contract: 'signalrtc' });
const simplePeerPage = (name) => open('simple-peer.html', { url: `${hub.http}/hubs/signalrtc`, name });
const summary = (h) => h.page.evaluate(() => window.rtcSummary());
const waitFor = (h, fn, arg, what) =>
  h.page.waitForFunction(fn, arg, { timeout: T }).catch(async (error) => {
    throw new Error(`${what}: ${error.message}\nsummary: ${JSON.stringify(await summary(h))}`);
  });

/**
 * The SDK page and the simple-peer page see each other under their hub connection ids, play each
 * other's camera, and exchange a data-channel message both ways.
 */
async function assertCall(sdk, sp) {
  // simple-peer's page knows its own connection id; the SDK's id is what the hub told simple-peer.
  const spId = sp.joined;
  await waitFor(sdk, (id) => window.rtcSummary().peers.some((p) => p.id === id && p.name === 'simple-peer'), spId, 'the SDK sees simple-peer');
  await waitFor(sp, () => window.rtcSummary().users.some((u) => u.userName === 'sdk'), null, 'simple-peer sees the SDK');
  const sdkId = (await summary(sp)).users.find((u) => u.userName === 'sdk').connectionId;

  await waitFor(sdk, (id) => window.rtcSummary().peers.some((p) => p.id === id && p.state === 'connected'), spId, 'the SDK connected');
  await waitFor(sp, (id) => window.rtcSummary().connected.includes(id), sdkId, 'simple-peer connected');
  for (const [h, who] of [[sdk, 'SDK'], [sp, 'simple-peer']]) {
    await waitFor(h, () => {
      const s = window.rtcSummary();
      return s.kinds.includes('audio') && s.kinds.includes('video') && s.videoWidth > 0;
    }, null, `the ${who} page plays the other's audio and video`);
  }

  await waitFor(sdk, (id) => window.rtcSummary().channels.includes(id), spId, "the SDK's channel opened");
  await sdk.page.evaluate((id) => window.rtcSend(id, 'hello from the SDK'), spId);
  await sp.page.evaluate((id) => window.rtcSend(id, 'hello from simple-peer'), sdkId);
  await waitFor(sp, (id) => window.rtcSummary().received.some((m) => m.from === id && m.data === 'hello from the SDK'), sdkId, 'simple-peer got the message');
  await waitFor(sdk, (id) => window.rtcSummary().received.some((m) => m.from === id && m.data === 'hello from simple-peer'), spId, 'the SDK got the message');

  const [a, b] = [await summary(sdk), await summary(sp)];
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  // The interop rule of in-band signaling: a peer that is not rtc-signaling never announces it,
  // so every signal with it went through the hub.
  assert.equal(a.stats.signalsSentInBand + a.stats.signalsReceivedInBand, 0, 'nothing in-band with a foreign peer');
  assert.ok(a.peers.every((p) => p.signaling === 'server'));
  assert.deepEqual(sdk.errors, []);
  assert.deepEqual(sp.errors, []);
}

test('SignalR_Signalrtc_SdkNewcomerCallsSimplePeerPageMediaBothWaysAndData', { timeout: 120_000 }, async () => {
  const sp = await simplePeerPage('simple-peer');
  const sdk = await sdkPage('sdk');
  await assertCall(sdk, sp);
});

test('SignalR_Signalrtc_SimplePeerNewcomerCallsSdkPageMediaBothWaysAndData', { timeout: 120_000 }, async () => {
  const sdk = await sdkPage('sdk');
  const sp = await simplePeerPage('simple-peer');
  await assertCall(sdk, sp);
});

const ekobitUrl = () => `${hub.http}/hubs/ekobit`;
const articlePage = (roomName) => open('ekobit.html', { url: ekobitUrl(), roomName });
const ekobitSdkPage = (room) => open('sdk.html', { url: `${hub.ws}/hubs/ekobit`, name: 'sdk', contract: 'ekobit', room });

/** The SDK page and the article's page play each other's camera. */
async function assertEkobitCall(sdk, article) {
  await waitFor(article, () => window.rtcSummary().connectionState === 'connected', null, 'the article page connected');
  await waitFor(article, () => {
    const s = window.rtcSummary();
    return s.kinds.includes('audio') && s.kinds.includes('video') && s.videoWidth > 0;
  }, null, "the article page plays the SDK's audio and video");
  await waitFor(sdk, () => {
    const s = window.rtcSummary();
    return s.peers.some((p) => p.state === 'connected') && s.kinds.includes('audio') && s.kinds.includes('video') && s.videoWidth > 0;
  }, null, "the SDK page plays the article page's audio and video");
  const [a, b] = [await summary(sdk), await summary(article)];
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  // The interop rule of in-band signaling: a peer that is not rtc-signaling never announces it,
  // so every signal with it went through the hub.
  assert.equal(a.stats.signalsSentInBand + a.stats.signalsReceivedInBand, 0, 'nothing in-band with a foreign peer');
  assert.ok(a.peers.every((p) => p.signaling === 'server'));
  assert.ok(b.log.some((line) => /^\[Server\]: Client .* joined the room/.test(line)), 'the hub logs to the group');
  return [a, b];
}

test('SignalR_Ekobit_ArticleInitiatorCallsTheSdkWhenItSaysGotUserMedia', { timeout: 120_000 }, async () => {
  const article = await articlePage('ekobit-article-first');
  assert.equal(article.joined, 'initiator');
  const sdk = await ekobitSdkPage('ekobit-article-first');
  const [a, b] = await assertEkobitCall(sdk, article);
  assert.equal(b.offersSent, 1, 'the article page offered');
  assert.deepEqual(a.peers.map((p) => p.id), ['initiator']);
  assert.equal(await sdk.page.evaluate(() => window.rtcId()), 'joiner');
  // The article's hang-up is its 'bye' message.
  await article.page.evaluate(() => window.rtcHangup());
  await waitFor(sdk, () => window.rtcSummary().left.some((p) => p.reason === 'left'), null, "the SDK saw the article's bye");
});

test('SignalR_Ekobit_SdkInTheRoomCallsTheArticleNewcomer', { timeout: 120_000 }, async () => {
  const sdk = await ekobitSdkPage('ekobit-sdk-first');
  assert.equal(await sdk.page.evaluate(() => window.rtcId()), 'initiator');
  const article = await articlePage('ekobit-sdk-first');
  assert.equal(article.joined, 'joiner');
  const [a, b] = await assertEkobitCall(sdk, article);
  assert.ok(b.answersSent >= 1, 'the article page answered the SDK');
  assert.equal(b.offersSent, 0, 'a joiner never offers in the article');
  assert.deepEqual(a.peers.map((p) => p.id), ['joiner']);
});

// ---------------------------------------------------------------- snaprtc

const snapSdkPage = (role, session) =>
  open('sdk.html', { url: `${hub.ws}/hubs/snaprtc`, name: role, contract: 'snaprtc', role, room: session, signaling: 'until-connected' });
const snapPage = (role, session) => open('snaprtc.html', { url: `${hub.http}/hubs/snaprtc`, role, session });
const playsBoth = () => {
  const s = window.rtcSummary();
  return s.kinds.includes('audio') && s.kinds.includes('video') && s.videoWidth > 0;
};

/**
 * An SDK page in `role` with `signaling: 'until-connected'` and a SnapRTC page in the other role
 * play each other's camera, stop signaling (the SDK goes dormant: its socket is closed, the page
 * stops its hub connection), and exchange data afterwards.
 */
async function assertSnapCall(sdk, snap, role) {
  const other = role === 'initiator' ? 'capture' : 'initiator';
  await waitFor(snap, () => window.rtcSummary().connected, null, 'the SnapRTC page connected');
  await waitFor(sdk, (id) => window.rtcSummary().peers.some((p) => p.id === id && p.state === 'connected'), other, 'the SDK connected');
  await waitFor(snap, playsBoth, null, "the SnapRTC page plays the SDK's audio and video");
  await waitFor(sdk, playsBoth, null, "the SDK page plays the SnapRTC page's audio and video");
  // Signaling was only for setup: both sides closed their hub connections.
  await waitFor(sdk, () => window.rtcSummary().state === 'dormant', null, 'the SDK closed its signaling socket');
  await waitFor(snap, () => window.rtcSummary().hubState === 'Disconnected', null, 'the SnapRTC page stopped its hub connection');
  // The call goes on without them.
  await waitFor(sdk, (id) => window.rtcSummary().channels.includes(id), other, "the SDK's channel opened");
  await sdk.page.evaluate((id) => window.rtcSend(id, 'after signaling, from the SDK'), other);
  await snap.page.evaluate(() => window.rtcSend('after signaling, from SnapRTC'));
  await waitFor(snap, () => window.rtcSummary().received.includes('after signaling, from the SDK'), null, 'the SnapRTC page got the message');
  await waitFor(sdk, (id) => window.rtcSummary().received.some((m) => m.from === id && m.data === 'after signaling, from SnapRTC'), other, 'the SDK got the message');
  const [a, b] = [await summary(sdk), await summary(snap)];
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  // The interop rule of in-band signaling: a peer that is not rtc-signaling never announces it,
  // so every signal with it went through the hub.
  assert.equal(a.stats.signalsSentInBand + a.stats.signalsReceivedInBand, 0, 'nothing in-band with a foreign peer');
  assert.ok(a.peers.every((p) => p.signaling === 'server'));
  assert.deepEqual(sdk.errors, []);
  assert.deepEqual(snap.errors, []);
  assert.equal(b.signalsSent, 1, 'one non-trickle signal from the SnapRTC page');
  assert.equal(a.state, 'dormant', 'no reconnect while dormant');
  assert.deepEqual(a.states.slice(-2), ['open', 'dormant']);
  return [a, b];
}

test('SignalR_Snaprtc_TwoSdkPagesCallWithMediaAndDataAndGoDormant', { timeout: 120_000 }, async () => {
  const initiator = await snapSdkPage('initiator', 'snap-two-sdks');
  const capture = await snapSdkPage('capture', 'snap-two-sdks');
  for (const [h, other] of [[initiator, 'capture'], [capture, 'initiator']]) {
    await waitFor(h, (id) => window.rtcSummary().peers.some((p) => p.id === id && p.state === 'connected'), other, `${other} connected`);
    await waitFor(h, playsBoth, null, `plays ${other}'s audio and video`);
    await waitFor(h, () => window.rtcSummary().state === 'dormant', null, 'closed its signaling socket');
    await waitFor(h, (id) => window.rtcSummary().channels.includes(id), other, `channel to ${other}`);
  }
  await initiator.page.evaluate(() => window.rtcSend('capture', 'dormant hello from the initiator'));
  await capture.page.evaluate(() => window.rtcSend('initiator', 'dormant hello from the capture side'));
  await waitFor(capture, () => window.rtcSummary().received.some((m) => m.from === 'initiator' && m.data === 'dormant hello from the initiator'), null, 'the capture side got the message');
  await waitFor(initiator, () => window.rtcSummary().received.some((m) => m.from === 'capture' && m.data === 'dormant hello from the capture side'), null, 'the initiator got the message');
  for (const h of [initiator, capture]) {
    const s = await summary(h);
    assert.deepEqual(s.errors, []);
    assert.equal(s.state, 'dormant');
  }
});

test('SignalR_Snaprtc_SnapRtcCapturePageAnswersTheSdkInitiatorAndBothStopSignaling', { timeout: 120_000 }, async () => {
  const sdk = await snapSdkPage('initiator', 'snap-sdk-initiator');
  const snap = await snapPage('capture', 'snap-sdk-initiator');
  const [, b] = await assertSnapCall(sdk, snap, 'initiator');
  assert.equal(b.starts, 0);
});

test('SignalR_Snaprtc_SnapRtcInitiatorPageCallsTheSdkCaptureAndBothStopSignaling', { timeout: 120_000 }, async () => {
  const snap = await snapPage('initiator', 'snap-sdk-capture');
  const sdk = await snapSdkPage('capture', 'snap-sdk-capture');
  const [, b] = await assertSnapCall(sdk, snap, 'capture');
  assert.equal(b.starts, 1, "the SDK's ready Sync started the session once");
});

// ---------------------------------------------------------------- two SDK pages on every hub

for (const contract of ['room', 'signalrtc', 'ekobit']) {
  test(`SignalR_${contract[0].toUpperCase()}${contract.slice(1)}_TwoSdkPagesCallWithMediaBothWaysAndData`, { timeout: 120_000 }, async () => {
    const room = `two-pages-${contract}`;
    const join = async (name) =>
      open('sdk.html', {
        url: `${hub.ws}/hubs/${contract}`, name, contract, room,
        token: contract === 'room' ? await token({ sub: name, name }) : undefined,
      });
    const a = await join('page-a');
    const b = await join('page-b');
    const ids = [await a.page.evaluate(() => window.rtcId()), await b.page.evaluate(() => window.rtcId())];
    // ekobit names nobody: each side calls the other by the role opposite to its own.
    const peerOf = (h, self) => (contract === 'ekobit' ? (self === 'initiator' ? 'joiner' : 'initiator') : ids[h === a ? 1 : 0]);
    for (const [h, self] of [[a, ids[0]], [b, ids[1]]]) {
      const other = peerOf(h, self);
      await waitFor(h, (id) => window.rtcSummary().peers.some((p) => p.id === id && p.state === 'connected'), other, `${self} connected to ${other}`);
      await waitFor(h, playsBoth, null, `${self} plays ${other}'s audio and video`);
      await waitFor(h, (id) => window.rtcSummary().channels.includes(id), other, `${self}'s channel to ${other}`);
      await h.page.evaluate(({ id, text }) => window.rtcSend(id, text), { id: other, text: `from ${self}` });
    }
    for (const [h, self] of [[a, ids[0]], [b, ids[1]]]) {
      const from = peerOf(h, self);
      const expected = `from ${ids[h === a ? 1 : 0]}`;
      await waitFor(h, ({ from: f, text }) => window.rtcSummary().received.some((m) => m.from === f && m.data === text), { from, text: expected }, `${self} got the other's message`);
      const s = await summary(h);
      assert.deepEqual(s.errors, []);
      assert.deepEqual(h.errors, []);
    }
  });
}
