// What the interop tests of self-announcing dialects (relay, dyson) share: track a client's open
// data channels, wait for a full mesh, and send a message over every ordered pair.
import { once, until } from '../../node/helpers/events.js';

const T = 20_000;

/** Records `client.openChannels` (peer ids with an open data channel) from now on. */
export function trackChannels(client) {
  client.openChannels = new Set();
  client.on('channel', ({ id, state }) => {
    if (state === 'open') client.openChannels.add(id);
    else client.openChannels.delete(id);
  });
  return client;
}

/** Peer id -> name, as one client sees the room. */
export const names = (client) => Object.fromEntries(client.peers.map((p) => [p.id, p.name]));

/** Resolves once every client has an open data channel to every other. */
export async function meshed(clients, timeoutMs = T) {
  await Promise.all(
    clients.map((c) =>
      until(c, ['channel', 'peer-joined'], () => clients.every((o) => o === c || c.openChannels.has(o.id)),
        timeoutMs, `${c.id}: channels to all of ${clients.length - 1}`),
    ),
  );
}

/** One message over every ordered pair, each awaited on the receiving side. */
export async function exchange(clients, timeoutMs = T) {
  for (const from of clients) {
    for (const to of clients) {
      if (from === to) continue;
      const text = `${from.id}->${to.id}`;
      const arrived = once(to, 'data', ({ id, data }) => id === from.id && data === text, timeoutMs);
      from.send(to.id, text);
      await arrived;
    }
  }
}

/**
 * In-band signaling on this dialect (README.md#calls-without-a-server): once a and b are
 * connected, an ICE restart between them goes over their connection's own channel, not the
 * server: both apply signals from the channel while neither writes one to the server. Data flows
 * afterwards.
 */
export async function restartIceInBand(a, b, timeoutMs = T) {
  const { waitFor } = await import('../../node/proxy/scenario.js');
  const inBand = (c, other) => c.peers.find((p) => p.id === other.id)?.signaling === 'in-band';
  await waitFor(() => inBand(a, b) && inBand(b, a), timeoutMs, `${a.id} and ${b.id} signal in-band`);
  const sent = [a.stats.signalsSent, b.stats.signalsSent];
  const applied = [a.stats.signalsReceivedInBand, b.stats.signalsReceivedInBand];
  a.restartIce(b.id);
  await waitFor(
    () => b.stats.signalsReceivedInBand > applied[1] && a.stats.signalsReceivedInBand > applied[0],
    timeoutMs,
    `${a.id} and ${b.id} apply the restart's signals from their channel`,
  );
  await waitFor(
    () => [a, b].every((c) => c.peers.find((p) => p.id === (c === a ? b.id : a.id))?.state === 'connected'),
    timeoutMs,
    'connected after the restart',
  );
  if (a.stats.signalsSent !== sent[0] || b.stats.signalsSent !== sent[1]) {
    throw new Error(`signals went to the server: ${sent} -> ${[a.stats.signalsSent, b.stats.signalsSent]}`);
  }
  await exchange([a, b]);
}
