// Starts the DysonNetwork-style chat server (dyson_server.js) as its own process with the test
// fixture: four accounts, two chat rooms; dave is a member of neither.
import { fileURLToPath } from 'node:url';
import { startServerProcess } from '../../helpers/server_process.js';

const script = fileURLToPath(new URL('./dyson_server.js', import.meta.url));

export const SECRET = 'dyson-test-secret';
export const CHAT = '6f9619ff-8b86-4011-b42d-00c04fc964ff';
export const OTHER_CHAT = '0e984725-c51c-4bf4-9960-e1c80e27aba0';
export const ACCOUNTS = {
  alice: { id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b', name: 'alice', nick: 'Alice A.' },
  bob: { id: '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b', name: 'bob', nick: '' },
  carol: { id: 'c9bf9e57-1685-4c89-bafb-ff5af830be8a', name: 'carol', nick: 'Carol' },
  dave: { id: 'a8098c1a-f86e-4b2a-8f3c-5d2ef3a4c6b7', name: 'dave', nick: 'Dave' },
};

const fixture = {
  secret: SECRET,
  accounts: Object.values(ACCOUNTS),
  rooms: {
    [CHAT]: [ACCOUNTS.alice.id, ACCOUNTS.bob.id, ACCOUNTS.carol.id],
    [OTHER_CHAT]: [ACCOUNTS.alice.id],
  },
};

export async function startDyson() {
  const server = await startServerProcess(script, [JSON.stringify(fixture)]);
  Object.defineProperty(server, 'url', { get: () => `ws://127.0.0.1:${server.port}/api/chat/realtime` });
  return server;
}
