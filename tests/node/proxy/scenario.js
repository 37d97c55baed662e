// Shared pieces of the reliability scenarios: a mesh of wasm clients with real WebRTC, data
// streams with per-sender counters, and condition waits (never fixed sleeps).
import assert from 'node:assert/strict';
import { connectFast } from '../helpers/clients.js';
import { until } from '../helpers/events.js';

/** Polls check() every 25 ms until it holds; rejects after timeoutMs naming `what`. */
export function waitFor(check, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      let ok = false;
      try {
        ok = check();
      } catch (error) {
        reject(error);
        return;
      }
      if (ok) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out after ${timeoutMs} ms: ${what}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}

/** Per-client bookkeeping: open data channels, peer states, events that must never happen. */
export function watch(client) {
  const w = {
    client,
    id: client.id,
    channels: new Set(),
    peerStates: new Map(),
    badPeerStates: [],
    closedStates: 0,
    reconnects: 0,
    joinedAfterStart: [],
    left: [],
    errors: [],
  };
  client.on('channel', ({ id, state }) => (state === 'open' ? w.channels.add(id) : w.channels.delete(id)));
  client.on('peer-state', ({ id, state }) => {
    w.peerStates.set(id, state);
    if (state === 'failed' || state === 'closed') w.badPeerStates.push({ id, state });
  });
  client.on('state', ({ state }) => {
    if (state === 'closed') w.closedStates++;
  });
  client.on('reconnecting', () => w.reconnects++);
  client.on('peer-left', (p) => w.left.push(p));
  client.on('error', (e) => w.errors.push(e));
  return w;
}

/**
 * Connects clients one after another; resolves when every pair's data channel is open.
 * `perClient(name)` adds options for one client.
 */
export async function mesh(names, options, perClient = () => ({})) {
  const watched = [];
  for (const name of names) watched.push(watch(await connectFast({ ...options, ...perClient(name), name })));
  await waitFor(() => watched.every((w) => w.channels.size === names.length - 1), 30_000, 'mesh channels open');
  return watched;
}

/**
 * Every client sends `${from}:${n}` to every other peer at `perSecond`, n counting up per
 * (sender, receiver) only when send() succeeded. Receivers check that each sender's counter
 * arrives exactly once and in order.
 */
export function dataStreams(watched, perSecond) {
  const sent = new Map(); // `${from}>${to}` -> count sent
  const received = new Map(); // same key -> count received in order
  const violations = [];
  let refused = 0;
  for (const w of watched) {
    w.client.on('data', ({ id, data }) => {
      const key = `${id}>${w.id}`;
      const expected = (received.get(key) ?? 0) + 1;
      const [from, n] = String(data).split(':');
      if (from !== id || Number(n) !== expected) violations.push(`${key}: got ${data}, expected ${expected}`);
      received.set(key, Number(n));
    });
  }
  const timer = setInterval(() => {
    for (const w of watched) {
      for (const other of watched) {
        if (other === w) continue;
        const key = `${w.id}>${other.id}`;
        const n = (sent.get(key) ?? 0) + 1;
        try {
          w.client.send(other.id, `${w.id}:${n}`);
          sent.set(key, n);
        } catch {
          refused++; // channel not open at this instant: not counted as sent
        }
      }
    }
  }, 1000 / perSecond);
  const total = (m) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    stop: () => clearInterval(timer),
    violations,
    get refused() {
      return refused;
    },
    sentTotal: () => total(sent),
    receivedTotal: () => total(received),
    allArrived: () => [...sent].every(([k, n]) => (received.get(k) ?? 0) === n),
  };
}

/**
 * The end of an outage scenario: the streams stop, every message sent arrives once and in order,
 * and none of `watched` saw a peer leave or a connection fail, close or end its session.
 */
export async function assertCallsIntact(streams, watched) {
  streams.stop();
  await waitFor(() => streams.allArrived(), 10_000, 'every data message delivered');
  assert.deepEqual(streams.violations, []);
  for (const w of watched) {
    assert.deepEqual(w.left, [], `${w.id} saw a peer leave`);
    assert.deepEqual(w.badPeerStates, [], `${w.id} had a connection fail or close`);
    assert.equal(w.closedStates, 0);
  }
}

export function allOpen(watched) {
  return watched.every((w) => w.client.state === 'open');
}

export function allConnected(watched) {
  return watched.every(
    (w) => w.channels.size === watched.length - 1 && [...w.peerStates.values()].every((s) => s === 'connected'),
  );
}

/** xorshift32: chaos runs are seeded so a failing one can be replayed. */
export function random(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** Signaling traffic for chaos runs: an ICE restart on a random pair every `everyMs`. */
export function iceRestarts(watched, rand, everyMs = 700) {
  const ids = watched.map((w) => w.id);
  let count = 0;
  const timer = setInterval(() => {
    const from = watched[Math.floor(rand() * watched.length)];
    const to = ids.filter((id) => id !== from.id)[Math.floor(rand() * (ids.length - 1))];
    try {
      from.client.restartIce(to);
      count++;
    } catch {
      // only throws for an unknown peer, which would fail the roster assertions anyway
    }
  }, everyMs);
  return {
    stop: () => clearInterval(timer),
    get count() {
      return count;
    },
  };
}

/** Signals the server relayed to `id`, by distinct (session, seq), as the proxy ledger saw them. */
export function relayedTo(ledger, id) {
  let n = 0;
  for (const d of ledger.delivered.values()) if (d.to === id) n++;
  return n;
}

/** Waits until every client's core applied exactly the distinct signals the ledger saw relayed to it. */
export function appliedAllRelayed(watched, ledger, timeoutMs = 10_000) {
  return waitFor(
    () => watched.every((w) => w.client.stats.signalsReceived === relayedTo(ledger, w.id)),
    timeoutMs,
    'the cores applied every relayed signal',
  ).catch((error) => {
    const counts = watched.map((w) => `${w.id}: applied ${w.client.stats.signalsReceived} relayed ${relayedTo(ledger, w.id)}`);
    throw new Error(`${error.message} (${counts.join('; ')})`);
  });
}

/** "a sent … b applied …" for two clients signaling in-band. */
export function inBandCounts(wa, wb) {
  return (
    `a sent ${wa.client.stats.signalsSentInBand} b applied ${wb.client.stats.signalsReceivedInBand}; ` +
    `b sent ${wb.client.stats.signalsSentInBand} a applied ${wa.client.stats.signalsReceivedInBand}`
  );
}

/** Waits until each in-band signal between wa and wb was applied once at the other end. */
export function inBandAppliedOnce(wa, wb, timeoutMs = 10_000) {
  return waitFor(
    () =>
      wa.client.stats.signalsSentInBand === wb.client.stats.signalsReceivedInBand &&
      wb.client.stats.signalsSentInBand === wa.client.stats.signalsReceivedInBand,
    timeoutMs,
    'every in-band signal between a and b applied once',
  ).catch((error) => {
    throw new Error(`${error.message} (${inBandCounts(wa, wb)})`);
  });
}

export { until };
