// A real redis-server (Debian's, installed by scripts/bootstrap) on an ephemeral port, with no
// persistence: a restart comes back empty, like a cache node that was replaced (unless it was
// stopped with stopRedisSaving).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../../node/helpers/server.js';

/** A free TCP port on loopback (the kernel's pick, released for redis-server to bind). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** @returns {Promise<{url: string, port: number, stop(): Promise<void>, start(): Promise<void>}>} */
export async function startRedis() {
  // Its own directory: stopRedisSaving() leaves dump.rdb there for the next start to load.
  const handle = { port: await freePort(), child: null, dir: mkdtempSync(join(tmpdir(), 'rtc-redis-')) };
  handle.url = `redis://127.0.0.1:${handle.port}`;
  handle.start = () => launch(handle);
  handle.stop = () => stop(handle);
  await handle.start();
  return handle;
}

function launch(handle) {
  const child = spawn(
    'redis-server',
    ['--port', String(handle.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--dir', handle.dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  handle.child = child;
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`redis-server did not start: ${output}`)), 10_000);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk) => {
      output += chunk;
      if (!/Ready to accept connections/.test(output)) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      resolve(handle);
    };
    const onExit = (code) => fail(new Error(`redis-server exited with ${code}: ${output}`));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', onExit);
  });
}

/** SIGKILL: Redis vanishes mid-command, as when its node dies. */
function stop(handle) {
  const child = handle.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** The same resume key on every instance: a token issued by one resumes on any other. */
export const CLUSTER_SECRET = 'cluster-test-resume-secret-0123456789';

/** `count` reference server instances sharing `redis`. */
export async function startInstances(redis, count, flags = []) {
  const all = [];
  for (let i = 0; i < count; i++) {
    all.push(await startServer(['--redis', redis.url, '--resume-secret', CLUSTER_SECRET, ...flags]));
  }
  return all;
}

/**
 * The usual cluster fixture: a Redis, `count` instances and an accounting proxy in front of each,
 * all proxies sharing one ledger (`ledger()`), so a signal written to one instance and delivered
 * by another is matched. `close()` stops everything.
 */
export async function startCluster(count, flags = []) {
  const { startProxy } = await import('../../../node/proxy/proxy.js');
  const redis = await startRedis();
  const instances = await startInstances(redis, count, flags);
  const proxies = await Promise.all(instances.map((s) => startProxy({ target: () => s.url })));
  const cluster = {
    redis,
    instances,
    proxies,
    urls: proxies.map((p) => p.url),
    ledger: () => proxies[0].stats,
    /** Replaces the shared ledger (a test that counts from a quiet point on). */
    setLedger(ledger) {
      for (const p of proxies) p.stats = ledger;
    },
    async close() {
      await Promise.all(proxies.map((p) => p.close()));
      await Promise.all(instances.map((s) => s.stop()));
      await redis.stop();
    },
  };
  cluster.setLedger(proxies[0].stats);
  return cluster;
}

/** Client i's endpoint list: its own instance first, then the others in ring order. */
export function ringUrls(urls, i) {
  return urls.map((_, k) => urls[(i + k) % urls.length]);
}

/**
 * SHUTDOWN SAVE: Redis writes its data to `dir` and exits; start() then loads it (a restart of a
 * Redis with persistence, or a network outage that ends with the data intact).
 */
export async function stopRedisSaving(handle) {
  const { createClient } = await import('redis');
  const c = createClient({ url: handle.url, socket: { reconnectStrategy: false } });
  c.on('error', () => {}); // the socket closes under it: that is the point
  await c.connect();
  const exited = new Promise((resolve) => handle.child.once('exit', resolve));
  await c.sendCommand(['SHUTDOWN', 'SAVE']).catch(() => {}); // the connection ends with it
  await exited;
  c.destroy();
}
