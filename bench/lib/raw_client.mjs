// A native-protocol client without the SDK, for server benchmarks: join, numbered signals,
// cumulative acks every 32 reliable frames (as often as the SDK acks a burst).
import { WebSocket } from 'ws';

export class RawClient {
  static open(url, room, name) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const raw = new RawClient(ws);
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'join', room, name })));
      raw.onWelcome = (m) => {
        raw.id = m.id;
        resolve(raw);
      };
    });
  }

  constructor(ws) {
    this.ws = ws;
    this.seq = 0;
    this.onSignal = () => {};
    ws.on('message', (text) => {
      const m = JSON.parse(text);
      if (m.type === 'welcome') return this.onWelcome(m);
      // Reliable frames carry seq; an `ack` frame's seq acks our own signals.
      if (m.seq && m.type !== 'ack' && m.seq % 32 === 0) this.ws.send(JSON.stringify({ type: 'ack', seq: m.seq }));
      if (m.type === 'signal') this.onSignal(m);
      if (m.type === 'error' && process.env.BENCH_DEBUG) console.error('server error', JSON.stringify(m));
    });
  }

  signal(to, data) {
    this.ws.send(JSON.stringify({ type: 'signal', to, seq: ++this.seq, data }));
  }

  close() {
    this.ws.close();
  }
}

/** A host candidate signal payload, distinct per n. */
export const candidate = (n) => ({
  candidate: { candidate: `candidate:${n} 1 udp 2122260223 192.0.2.${n % 250} ${40000 + (n % 20000)} typ host`, sdpMid: '0', sdpMLineIndex: 0 },
});

/**
 * Each [sender, receiver] pair streams `perPair` candidates, at most `window` undelivered at a
 * time; resolves with the signals/s delivered over all pairs.
 */
export async function streamPairs(pairs, perPair, window = 64) {
  const started = performance.now();
  await Promise.all(
    pairs.map(
      ([sender, receiver]) =>
        new Promise((resolve) => {
          let sent = 0;
          let got = 0;
          const pump = () => {
            while (sent < perPair && sent - got < window) sender.signal(receiver.id, candidate(sent++));
          };
          receiver.onSignal = () => {
            if (++got === perPair) resolve();
            else pump();
          };
          pump();
        }),
    ),
  );
  return (perPair * pairs.length) / ((performance.now() - started) / 1000);
}
