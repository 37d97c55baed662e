// Calls through a TURN server (Debian's coturn, started here on free ports): with
// iceTransportPolicy 'relay' a call can only connect through TURN, so a working call proves the
// iceServers configuration the README's "Networks and TURN" shows; getStats() names the relay.
import './helpers/globals.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { closeAll, connectFast } from './helpers/clients.js';
import { once, until, withTimeout } from './helpers/events.js';
import { startServer } from './helpers/server.js';
import { installTrackedWebRtc } from './helpers/webrtc.js';

let server;
let turn;
let turnPort;
let turnOutput = '';

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

before(async () => {
  await installTrackedWebRtc();
  server = await startServer();
  turnPort = await freePort();
  const relayBase = 40000 + (turnPort % 20000);
  turn = spawn('turnserver', [
    '-n', '--listening-ip', '127.0.0.1', '--relay-ip', '127.0.0.1', '--listening-port', String(turnPort),
    '--min-port', String(relayBase), '--max-port', String(relayBase + 200),
    '--lt-cred-mech', '--user', 'rtc:secret', '--realm', 'rtc.test', '--fingerprint',
    '--no-tls', '--no-dtls', '--no-cli', '--allow-loopback-peers',
    '--log-file', 'stdout', '--simple-log', '--pidfile', `/tmp/rtc-turn-${turnPort}.pid`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  turn.stdout.on('data', (chunk) => (turnOutput += chunk));
  turn.stderr.on('data', (chunk) => (turnOutput += chunk));
  await withTimeout(new Promise((resolve, reject) => {
    turn.once('exit', (code) => reject(new Error(`turnserver exited ${code}: ${turnOutput}`)));
    const poll = setInterval(() => {
      if (/Total General servers/.test(turnOutput)) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  }), 15_000, 'turnserver to start');
});
after(async () => {
  turn?.kill('SIGKILL');
  await server?.stop();
});

/** The local candidate type of the selected candidate pair in a stats report. */
function selectedLocalType(report) {
  const stats = new Map();
  report.forEach((s) => stats.set(s.id, s));
  for (const s of stats.values()) {
    if (s.type === 'candidate-pair' && s.state === 'succeeded' && (s.nominated || s.selected)) {
      return stats.get(s.localCandidateId)?.candidateType;
    }
  }
  return undefined;
}

test('Client_RelayOnlyCallsConnectThroughTurnAndExchangeData', async () => {
  const ice = {
    iceServers: [{ urls: `turn:127.0.0.1:${turnPort}?transport=udp`, username: 'rtc', credential: 'secret' }],
    iceTransportPolicy: 'relay',
  };
  const a = await connectFast({ url: server.url, room: 'turn', name: 'a', ...ice });
  const b = await connectFast({ url: server.url, room: 'turn', name: 'b', ...ice });
  try {
    const open = (c, other) => until(c, ['channel'], () => c.peers.some((p) => p.id === other.id && p.state === 'connected'), 20_000, `${c.id} connected`);
    await Promise.all([open(a, b), open(b, a)]);
    const got = once(b, 'data', ({ id }) => id === a.id, 20_000);
    // The channel may open a moment after the connection.
    await until(a, ['channel'], () => {
      try {
        a.send(b.id, 'through the relay');
        return true;
      } catch {
        return false;
      }
    }, 20_000, 'a channel to b');
    assert.equal((await got).data, 'through the relay');
    assert.equal(selectedLocalType(await a.getStats(b.id)), 'relay');
    assert.equal(selectedLocalType(await b.getStats(a.id)), 'relay');
  } finally {
    await closeAll(a, b);
  }
});
