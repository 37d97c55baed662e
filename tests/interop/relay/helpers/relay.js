// Starts the tutorial relay (relay_server.js) as its own process, so a frame that crashes it
// shows as a dead process, and lets a test restart it on the same port.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./relay_server.js', import.meta.url));

async function launch(port) {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listening = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`relay exited (${code}) before listening: ${output}`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    return { child, port: await listening, output: () => output };
  } finally {
    clearTimeout(timeout);
  }
}

export async function startRelay() {
  let current = await launch(0);
  const relay = {
    get url() {
      return `ws://127.0.0.1:${current.port}`;
    },
    get port() {
      return current.port;
    },
    /** False once the process died (e.g. a non-JSON frame crashed it). */
    alive: () => current.child.exitCode === null && current.child.signalCode === null,
    /** What the relay printed (its "Unknown message type" lines, a crash's stack). */
    output: () => current.output(),
    async stop() {
      if (!relay.alive()) return;
      const exited = once(current.child, 'exit');
      current.child.kill('SIGKILL');
      await exited;
    },
    /** Kills the process and starts a new one on the same port (every socket drops). */
    async restart() {
      await relay.stop();
      current = await launch(current.port);
    },
  };
  return relay;
}
