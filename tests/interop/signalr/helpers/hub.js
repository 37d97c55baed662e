// Builds and starts demo/signalr-hub (real ASP.NET Core) for the interop tests.
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const project = path.join(root, 'demo/signalr-hub');
const dll = path.join(project, 'bin/Release/net10.0/SignalrHub.dll');

export const SECRET = 'interop-test-secret-0123456789abcdef';

/** dotnet build (restore included); MSBuild skips the work when nothing changed. */
export async function buildHub() {
  await promisify(execFile)(
    'dotnet',
    ['build', project, '-c', 'Release', '-nologo', '-v', 'q', '-p:UseSharedCompilation=false'],
    { env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' }, maxBuffer: 1 << 24 },
  );
}

/** Spawns the built hub with `env` added to (or, with undefined values, removed from) ours. */
export function spawnHub(env = {}) {
  const merged = { ...process.env, RTC_SIGNALR_SECRET: SECRET, DOTNET_CLI_TELEMETRY_OPTOUT: '1', ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return spawn('dotnet', [dll, '--urls', 'http://127.0.0.1:0'], { cwd: project, env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts the built hub on a free port (with `env` added); resolves once Kestrel says where it listens. */
export function startHub(timeoutMs = 60_000, env = {}) {
  const child = spawn('dotnet', [dll, '--urls', 'http://127.0.0.1:0'], {
    cwd: project,
    env: { ...process.env, RTC_SIGNALR_SECRET: SECRET, DOTNET_CLI_TELEMETRY_OPTOUT: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`hub did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const m = /Now listening on: (http:\/\/[^\s]+)/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      const http = m[1];
      const ws = http.replace(/^http/, 'ws');
      resolve({
        http,
        ws,
        output: () => output,
        stop: (signal = 'SIGTERM') =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill(signal);
          }),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code}:\n${output}`));
    });
  });
}

/** An HS256 token for /hubs/room; `expiresIn: null` leaves out `exp`. */
export function token({ sub = 'user', name = 'user', rooms = ['*'], secret = SECRET, expiresIn = '1h' } = {}) {
  const jwt = new SignJWT({ name, rooms }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt();
  if (expiresIn !== null) jwt.setExpirationTime(expiresIn);
  return jwt.sign(new TextEncoder().encode(secret));
}
