// Connect options tuned for tests: short timings so reconnects and timeouts take milliseconds.
import { connect } from '../../../dist/index.js';

export const FAST = {
  reconnect: { initialDelayMs: 100, maxDelayMs: 800 },
  connectTimeoutMs: 5000,
  pingIntervalMs: 1000,
  serverTimeoutMs: 4000,
};

export function connectFast(options) {
  return connect({ ...FAST, ...options });
}

/** Closes every client given, ignoring ones already closed. */
export async function closeAll(...clients) {
  await Promise.all(clients.filter(Boolean).map((c) => c.close()));
}
