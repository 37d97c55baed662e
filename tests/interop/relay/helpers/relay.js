// Starts the tutorial relay (relay_server.js) as its own process (../../helpers/server_process.js).
import { fileURLToPath } from 'node:url';
import { startServerProcess } from '../../helpers/server_process.js';

const script = fileURLToPath(new URL('./relay_server.js', import.meta.url));

export async function startRelay() {
  const relay = await startServerProcess(script);
  Object.defineProperty(relay, 'url', { get: () => `ws://127.0.0.1:${relay.port}` });
  return relay;
}
