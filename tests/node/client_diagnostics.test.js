// What an app can see of the SDK at work: the log (levels, the core's commands, never a token),
// getStats() of a peer connection, and the quality event, with real WebRTC (@roamhq/wrtc)
// through the reference server.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeAll, connectFast } from './helpers/clients.js';
import { once, until } from './helpers/events.js';
import { startServer } from './helpers/server.js';
import { installTrackedWebRtc } from './helpers/webrtc.js';
import { makeToken } from './helpers/tokens.js';
import { RtcSignalingError } from '../../dist/index.js';

let server;
before(async () => {
  await installTrackedWebRtc();
  server = await startServer(['--secret', 'client-test-secret']);
});
after(() => server.stop());

function logs() {
  const entries = [];
  return { entries, logger: (entry) => entries.push(entry) };
}

async function pair(room, extra = {}) {
  const a = await connectFast({ url: server.url, room, name: 'a', token: await makeToken({ sub: 'a' }), ...extra.a });
  const b = await connectFast({ url: server.url, room, name: 'b', token: await makeToken({ sub: 'b' }), ...extra.b });
  await until(a, ['peer-state'], () => a.peers.some((p) => p.id === b.id && p.state === 'connected'), 15_000, 'a connected to b');
  await until(b, ['peer-state'], () => b.peers.some((p) => p.id === a.id && p.state === 'connected'), 15_000, 'b connected to a');
  return [a, b];
}

test('Client_DebugLogShowsStatesAttemptsAndNegotiationButNeverTheToken', async () => {
  const token = await makeToken({ sub: 'a' });
  const log = logs();
  const a = await connectFast({ url: server.url, room: 'log-debug', name: 'a', token, logLevel: 'debug', logger: log.logger });
  const b = await connectFast({ url: server.url, room: 'log-debug', name: 'b', token: await makeToken({ sub: 'b', name: 'b' }) });
  try {
    await until(a, ['peer-state'], () => a.peers.some((p) => p.state === 'connected'), 15_000, 'connected');
    const lines = log.entries.map((e) => `${e.level} ${e.message}`);
    const has = (re) => assert.ok(lines.some((l) => re.test(l)), `no line matching ${re}:\n${lines.join('\n')}`);
    has(/^debug open socket ws:\/\/127\.0\.0\.1:\d+\/signal$/);
    has(/^info state joining$/);
    has(/^info joined room "log-debug" as /);
    has(new RegExp(`^info peer ${b.id} joined \\("b"\\)$`));
    has(/^debug .*: set (local|remote) description \((offer|answer)/);
    has(/^debug (create peer connection to .* \((polite|impolite)\)|.*: add remote candidate)/);
    has(new RegExp(`^info peer ${b.id}: connected$`));
    has(/^debug send frame, \d+ bytes$/);
    for (const line of lines) assert.ok(!line.includes(token), `a token in the log: ${line}`);
    for (const e of log.entries) assert.ok(['error', 'warn', 'info', 'debug'].includes(e.level));
  } finally {
    await closeAll(a, b);
  }
});

test('Client_LogLevelsFilterEntriesAndAFatalErrorIsLoggedAsAnError', async () => {
  const info = logs();
  const warn = logs();
  const silent = logs();
  const token = await makeToken({ sub: 'x' });
  // A token the server refuses: the attempt's error is logged at its level.
  const refused = connectFast({ url: server.url, room: 'log-levels', token: 'not-a-token', logLevel: 'warn', logger: warn.logger, reconnect: false });
  await assert.rejects(refused, (e) => e instanceof RtcSignalingError && e.code === 'unauthorized');
  assert.ok(warn.entries.some((e) => e.level === 'error' && /^unauthorized: /.test(e.message)), JSON.stringify(warn.entries));
  assert.ok(!warn.entries.some((e) => e.level === 'info' || e.level === 'debug'));
  const c = await connectFast({ url: server.url, room: 'log-levels', name: 'x', token, logLevel: 'info', logger: info.logger });
  const d = await connectFast({ url: server.url, room: 'log-levels', name: 'y', token: await makeToken({ sub: 'y' }), logger: silent.logger });
  try {
    assert.ok(info.entries.some((e) => e.level === 'info' && e.message === 'state open'));
    assert.ok(!info.entries.some((e) => e.level === 'debug'), 'info drops debug');
    assert.deepEqual(silent.entries, [], "'silent' is the default");
  } finally {
    await closeAll(c, d);
  }
});

test('Client_InvalidLogOptionsAreInvalidConfig', async () => {
  for (const bad of [{ logLevel: 'loud' }, { logger: 'console' }, { iceTransportPolicy: 'tcp' }]) {
    await assert.rejects(connectFast({ url: server.url, room: 'r', ...bad }), (e) => e.code === 'invalid-config', JSON.stringify(bad));
  }
});

test('Client_GetStatsGivesThePeerConnectionsReportAndQualityIsGoodOnLoopback', async () => {
  const [a, b] = await pair('stats');
  try {
    const quality = once(a, 'quality', ({ id }) => id === b.id, 15_000);
    const report = await a.getStats(b.id);
    const types = new Set();
    report.forEach((s) => types.add(s.type));
    assert.ok(types.has('candidate-pair'), `stats types: ${[...types]}`);
    assert.ok(types.has('data-channel') || types.has('transport'), `stats types: ${[...types]}`);
    const q = await quality;
    assert.equal(q.quality, 'good');
    assert.equal(typeof q.rttMs, 'number');
    assert.ok(q.rttMs < 300, `rtt ${q.rttMs}`);
    assert.equal(q.lossPercent, null, 'no media, no loss figure');
    await assert.rejects(a.getStats('nobody'), (e) => e.code === 'unknown-peer');
  } finally {
    await closeAll(a, b);
  }
  await assert.rejects(a.getStats(b.id), (e) => e.code === 'closed');
});

test('Client_APageFromAnotherMachineWithoutIceServersIsWarnedOnce', async () => {
  const cases = [
    ['chat.example.com', [], 1],
    ['chat.example.com', [{ urls: 'stun:stun.example.com:3478' }], 0],
    ['localhost', [], 0],
    ['127.0.0.1', [], 0],
  ];
  try {
    for (const [hostname, iceServers, warnings] of cases) {
      globalThis.location = { hostname };
      const log = logs();
      const c = await connectFast({ url: server.url, room: 'ice-warning', name: 'w', token: await makeToken({ sub: 'w' }), iceServers, logLevel: 'warn', logger: log.logger });
      await c.close();
      const found = log.entries.filter((e) => e.level === 'warn' && /no iceServers configured/.test(e.message));
      assert.equal(found.length, warnings, `${hostname} ${JSON.stringify(iceServers)}: ${JSON.stringify(log.entries)}`);
    }
  } finally {
    delete globalThis.location;
  }
});
