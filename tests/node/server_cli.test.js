import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestClient, withTimeout } from './server_harness.js';
import { parseOptions } from '../../demo/server/options.js';

const entry = fileURLToPath(new URL('../../demo/server', import.meta.url));

/** Starts `node demo/server` and resolves with the port parsed from its listening line. */
function launch(args, { env = {}, cwd } = {}) {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const listening = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/rtc-signaling server listening on (http:\/\/\S+):(\d+)/);
      if (match) resolve({ url: `${match[1]}:${match[2]}`, port: Number(match[2]) });
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    exited.then(() => reject(new Error(`server exited early:\n${output}`)));
  });
  return { child, exited, listening: withTimeout(listening, 5000, 'no listening line'), output: () => output };
}

test('Cli_PrintsUrlWithEphemeralPortAndExitsZeroOnSigterm', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'rtc-cli-'));
  try {
    const server = launch(['--port', '0'], { cwd });
    const { url, port } = await server.listening;
    assert.equal(url, `http://localhost:${port}`);
    assert.ok(port > 0);
    const client = await TestClient.open(`ws://127.0.0.1:${port}/signal?room=cli`);
    await client.join('cli', 'a');
    server.child.kill('SIGTERM');
    assert.equal((await client.waitClose()).code, 1001);
    assert.deepEqual(await withTimeout(server.exited, 5000, 'no exit'), { code: 0, signal: null });
    // Without --resume-secret the generated key is kept under the working directory.
    assert.ok((await stat(join(cwd, '.rtc-signaling', 'resume.key'))).isFile());
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('Cli_SigintAlsoExitsZero', async () => {
  const server = launch(['--port', '0', '--resume-secret', 'x']);
  await server.listening;
  server.child.kill('SIGINT');
  assert.equal((await withTimeout(server.exited, 5000, 'no exit')).code, 0);
});

test('Cli_EnvironmentVariablesConfigureTheServer', async () => {
  const server = launch([], { env: { RTC_SIGNALING_PORT: '0', RTC_SIGNALING_MAX_PEERS: '1', RTC_SIGNALING_RESUME_SECRET: 'x' } });
  const { port } = await server.listening;
  try {
    const first = await TestClient.open(`ws://127.0.0.1:${port}/signal?room=env`);
    await first.join('env', 'a');
    const second = await TestClient.open(`ws://127.0.0.1:${port}/signal?room=env`);
    second.send({ type: 'join', room: 'env', name: 'b' });
    assert.equal((await second.next('error')).code, 'room-full');
    await first.close();
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});

test('Cli_FlagsWinOverEnvironmentAndBadValuesAreRejected', () => {
  const { options } = parseOptions(['--max-peers', '5', '--grace-ms', '100', '--rate', '2.5'], {
    RTC_SIGNALING_MAX_PEERS: '9',
    RTC_SIGNALING_SECRET: 's',
  });
  assert.deepEqual(options, { maxPeers: 5, graceMs: 100, rate: 2.5, secret: 's' });
  assert.throws(() => parseOptions(['--port', 'abc'], {}), /--port/);
  assert.throws(() => parseOptions(['--bogus', '1'], {}));
});

test('Cli_InvalidFlagExitsNonZeroWithUsage', async () => {
  const server = launch(['--port', 'abc']);
  const { code } = await withTimeout(server.exited, 5000, 'no exit');
  assert.equal(code, 2);
  assert.match(server.output(), /usage: node demo\/server/);
  await server.listening.catch(() => {});
});

test('Cli_PortInUseExitsOneWithAHintInsteadOfAStack', async () => {
  const { createServer: netServer } = await import('node:net');
  const holder = netServer();
  await new Promise((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const { port } = holder.address();
  try {
    const server = launch(['--port', String(port)]);
    server.listening.catch(() => {}); // it never listens: that is the point
    const { code } = await withTimeout(server.exited, 5000, 'exit');
    assert.equal(code, 1);
    assert.match(server.output(), new RegExp(`port ${port} is in use .*PORT=${port + 1} npm run demo`));
    assert.doesNotMatch(server.output(), /\n\s+at /, 'no stack trace');
  } finally {
    holder.close();
  }
});
