// Why the first connect failed, said while it is failing: every attempt whose socket does not
// open reports `connect-failed` with what the HTTP probe found, listeners from the `on` option see
// it (and the attempts) before connect() settles, and the final `timeout` carries it as `cause`.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { connectFast } from './helpers/clients.js';
import { startServer } from './helpers/server.js';

let server;
before(async () => {
  server = await startServer([]);
});
after(() => server.stop());

/** A port nothing listens on: bound once, then released. */
async function closedPort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** connect() with `on` listeners recording everything; resolves with the rejection and the log. */
async function failedConnect(url) {
  const seen = [];
  const on = {};
  for (const event of ['state', 'reconnecting', 'error']) on[event] = (payload) => seen.push({ event, ...payload });
  const error = await connectFast({ url, room: 'r', name: 'n', connectTimeoutMs: 2500, on }).then(
    () => assert.fail('connect() resolved'),
    (e) => e,
  );
  return { error, seen };
}

test('Client_RefusedPortSaysSoBeforeTheTimeoutAndAsItsCause', async () => {
  const port = await closedPort();
  const { error, seen } = await failedConnect(`ws://127.0.0.1:${port}/signal`);
  assert.equal(error.code, 'timeout');
  assert.equal(error.cause?.code, 'connect-failed');
  assert.match(error.cause.message, new RegExp(`could not reach http://127\\.0\\.0\\.1:${port}/signal \\(connection refused`));
  assert.match(error.cause.message, /ECONNREFUSED/, 'Node names the system error');
  const failed = seen.filter((e) => e.event === 'error' && e.code === 'connect-failed');
  assert.ok(failed.length >= 1, 'the on.error listener heard each failed attempt');
  assert.ok(failed.every((e) => e.fatal === false));
  assert.ok(seen.some((e) => e.event === 'reconnecting'), 'and the attempts being retried');
  assert.equal(seen.at(-1).event, 'state');
  assert.equal(seen.at(-1).state, 'closed');
});

test('Client_WrongPathIsReportedWithTheHttpStatus', async () => {
  const { error } = await failedConnect(server.url.replace(/\/signal$/, '/no-such-path'));
  assert.equal(error.code, 'timeout');
  assert.equal(error.cause?.code, 'connect-failed');
  assert.match(error.cause.message, /\/no-such-path answered HTTP 404 instead of a WebSocket \(is the path right\?\)/);
});

test('Client_OnOptionIsValidated', async () => {
  for (const on of [{ nope: () => {} }, { error: 'not a function' }, null]) {
    await assert.rejects(connectFast({ url: server.url, room: 'r', name: 'n', on }), { code: 'invalid-config' }, JSON.stringify(on));
  }
});

test('Client_OnListenersStaySubscribedAfterJoining', async () => {
  const states = [];
  const client = await connectFast({ url: server.url, room: 'on-option', name: 'n', on: { state: ({ state }) => states.push(state) } });
  assert.deepEqual(states, ['connecting', 'joining', 'open'], 'heard from the first attempt on');
  await client.close();
  assert.equal(states.at(-1), 'closed');
});
