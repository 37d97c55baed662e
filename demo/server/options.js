// Command-line flags and RTC_SIGNALING_* environment variables -> createServer() options.
// A flag wins over its environment variable.
import { parseArgs } from 'node:util';

const OPTIONS = [
  // flag, env suffix, option key, kind, help
  ['port', 'PORT', 'port', 'int', 'TCP port, 0 = ephemeral (default 8080)'],
  ['host', 'HOST', 'host', 'string', 'interface to bind (default 127.0.0.1)'],
  ['static', 'STATIC', 'staticDir', 'string', 'directory served at / (default demo/app/dist/app/browser, the Angular demo)'],
  ['secret', 'SECRET', 'secret', 'string', 'HS256 secret; enables access tokens (prefer the env var)'],
  ['resume-secret', 'RESUME_SECRET', 'resumeSecret', 'string', 'key for resume tokens (default: generated, kept in .rtc-signaling/resume.key)'],
  ['resume-key-file', 'RESUME_KEY_FILE', 'resumeKeyFile', 'string', 'where the generated resume key is kept'],
  ['max-peers', 'MAX_PEERS', 'maxPeers', 'int', 'peers per room (default 32)'],
  ['grace-ms', 'GRACE_MS', 'graceMs', 'int', 'how long a dropped peer stays in its room (default 20000)'],
  ['max-frame', 'MAX_FRAME', 'maxFrame', 'int', 'largest accepted frame in bytes (default 65536)'],
  ['rate', 'RATE', 'rate', 'number', 'frames per second per connection, burst 2x (default 50)'],
  ['idle-ms', 'IDLE_MS', 'idleMs', 'int', 'close a client silent this long (default 30000)'],
  ['max-connections', 'MAX_CONNECTIONS', 'maxConnections', 'int', 'open sockets in total, then 503 (default 1000)'],
  ['max-connections-per-ip', 'MAX_CONNECTIONS_PER_IP', 'maxConnectionsPerIp', 'int', 'open sockets per client address, then 429 (default 50)'],
  ['redis', 'REDIS', 'redis', 'string', 'redis://host:port: cluster mode, state shared by every instance (default: off)'],
  ['max-replay-bytes', 'MAX_REPLAY_BYTES', 'maxReplayBytes', 'int', 'unacked bytes kept per peer for its resume (default 1048576)'],
];

export const USAGE =
  'usage: node demo/server [options]\n' +
  OPTIONS.map(([flag, env, , , help]) => `  --${flag.padEnd(16)} RTC_SIGNALING_${env.padEnd(16)} ${help}`).join('\n');

/** @returns {{help: boolean, options: object}}; throws Error with a user-facing message. */
export function parseOptions(argv, env) {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries([
      ...OPTIONS.map(([flag]) => [flag, { type: 'string' }]),
      ['help', { type: 'boolean', short: 'h' }],
    ]),
    strict: true,
  });
  const options = {};
  for (const [flag, envName, key, kind] of OPTIONS) {
    const raw = values[flag] ?? env[`RTC_SIGNALING_${envName}`];
    if (raw === undefined || raw === '') continue;
    options[key] = convert(raw, kind, flag);
  }
  return { help: values.help === true, options };
}

function convert(raw, kind, flag) {
  if (kind === 'string') return raw;
  const n = Number(raw);
  const valid = kind === 'int' ? Number.isSafeInteger(n) && n >= 0 : Number.isFinite(n) && n > 0;
  if (!valid) throw new Error(`--${flag}: expected a ${kind === 'int' ? 'non-negative integer' : 'positive number'}, got ${JSON.stringify(raw)}`);
  return n;
}
