// Child processes for the server benchmarks: free ports, start-and-wait-for-a-line, SIGKILL, and
// every child killed when the bench exits (also when a round fails).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Spawns `command`; resolves with {child, match} once `ready` matches its stdout. */
export function launch(command, args, ready, { cwd, env } = {}) {
  const child = spawn(command, args, { cwd, env: env ? { ...process.env, ...env } : process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start: ${out}`)), 15_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    });
    child.stderr.on('data', (chunk) => (out += chunk));
    child.once('exit', (code) => reject(new Error(`${command} exited ${code}: ${out}`)));
  });
}

export const kill = (child) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGKILL');
      });

/** The reference server (`node demo/server`) with `flags`; {child, port, url, flags}. */
export async function startSignaling(flags, port = 0) {
  const cwd = mkdtempSync(join(tmpdir(), 'rtc-bench-'));
  const args = [join(ROOT, 'demo/server'), '--port', String(port), ...flags];
  const { child, match } = await launch(process.execPath, args, /listening on (\S+)/, { cwd });
  const p = Number(new URL(match[1]).port);
  return { child, port: p, url: `ws://127.0.0.1:${p}/signal`, flags };
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssOf(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Rejects after `ms` naming `what`, so a round that hangs fails the run. */
export const timed = (promise, what, ms = 60_000) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms).unref())]);
