// Counted data for the pages that outlive their server (outage.html, in_band.html): every peer
// gets an increasing counter over the data channel, and each receiver checks that each sender's
// counter arrives exactly once and in order.
export function counters() {
  const received = new Map(); // peer id -> last counter received in order
  const sent = new Map(); // peer id -> last counter sent
  const violations = [];
  let timer = null;
  return {
    received,
    sent,
    violations,
    /** The client's `data` listener. */
    onData({ id, data }) {
      const expected = (received.get(id) ?? 0) + 1;
      if (Number(data) !== expected) violations.push(`${id}: got ${data}, expected ${expected}`);
      received.set(id, Number(data));
    },
    /** Sends the next counter to every peer whose channel is open, perSecond times a second. */
    start(client, perSecond) {
      clearInterval(timer);
      timer = setInterval(() => {
        for (const { id } of client.peers) {
          const n = (sent.get(id) ?? 0) + 1;
          try {
            client.send(id, String(n));
            sent.set(id, n);
          } catch {
            // channel not open yet: nothing counted as sent
          }
        }
      }, 1000 / perSecond);
    },
    stop() {
      clearInterval(timer);
    },
    /** For rtcSummary(): counters by peer id, and what arrived out of order or twice. */
    summary() {
      return { received: Object.fromEntries(received), sent: Object.fromEntries(sent), violations };
    },
  };
}
