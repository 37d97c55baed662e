// Runs a test server script as its own process, so a frame that crashes it shows as a dead
// process, and lets a test restart it on the same port (every socket drops). The script prints
// "listening <port>" once it accepts connections and takes its port from PORT (0: any).
import { spawn } from 'node:child_process';
import { once } from 'node:events';

async function launch(script, args, port) {
  const child = spawn(process.execPath, [script, ...args], {
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
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before listening: ${output}`)));
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    return { child, port: await listening, output: () => output };
  } finally {
    clearTimeout(timeout);
  }
}

export async function startServerProcess(script, args = []) {
  let current = await launch(script, args, 0);
  const server = {
    get port() {
      return current.port;
    },
    /** False once the process died. */
    alive: () => current.child.exitCode === null && current.child.signalCode === null,
    /** What the process printed (log lines, a crash's stack). */
    output: () => current.output(),
    async stop() {
      if (!server.alive()) return;
      const exited = once(current.child, 'exit');
      current.child.kill('SIGKILL');
      await exited;
    },
    /** Kills the process and starts a new one on the same port. */
    async restart() {
      await server.stop();
      current = await launch(script, args, current.port);
    },
  };
  return server;
}
