// The real reference server as a child process (`node demo/server --port 0 ...`), so a test can
// kill it outright and start it again on the same port.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Starts the server; resolves with {url, port, stop(), restart()}. `url` is the ws:// signaling
 * endpoint. flags: extra CLI flags, e.g. ['--secret', 's', '--max-peers', '1'].
 */
export async function startServer(flags = [], { port = 0 } = {}) {
  // A private working directory per server: the generated resume key must survive a restart of
  // this server but never leak into the repository or into other tests.
  const cwd = mkdtempSync(join(tmpdir(), 'rtc-signaling-test-'));
  const handle = { flags, cwd, child: null, port: 0, url: '' };
  await launch(handle, port);
  handle.stop = () => stop(handle);
  handle.restart = async () => {
    await stop(handle);
    await launch(handle, handle.port);
  };
  return handle;
}

function launch(handle, port) {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'demo/server'), '--port', String(port), '--host', '127.0.0.1', ...handle.flags],
    { cwd: handle.cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  handle.child = child;
  // RTC_SERVER_LOG=1 shows what the server logs, for debugging a failing test.
  if (process.env.RTC_SERVER_LOG) {
    child.stdout.on('data', (chunk) => process.stderr.write(`[server :${port || '?'}] ${chunk}`));
    child.stderr.on('data', (chunk) => process.stderr.write(`[server :${port || '?'}] ${chunk}`));
  }
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`server did not start: ${output}`)), 10_000);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk) => {
      output += chunk;
      const match = /listening on (\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      const printed = new URL(match[1]);
      handle.port = Number(printed.port);
      handle.url = `ws://127.0.0.1:${handle.port}/signal`;
      resolve(handle);
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => fail(new Error(`server exited with ${code}: ${output}`)));
  });
}

/** SIGKILL: the server vanishes without closing sockets politely, like a crash. */
function stop(handle) {
  const child = handle.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
