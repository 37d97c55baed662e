// A tiny `ws` server that speaks just enough of the native dialect to let a client join, then
// sends whatever the test tells it to: malformed, oversized or spoofed frames.
import { WebSocketServer } from 'ws';

export const SELF_ID = 'self-1';

export async function startHostileServer({ peers = [] } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/signal' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const server = {
    url: `ws://127.0.0.1:${wss.address().port}/signal`,
    socket: null,
    received: [],
    seq: 0,
    /** Sends a raw text frame to the joined client. */
    sendRaw(text) {
      server.socket.send(text);
    },
    /** Sends a reliable (seq-numbered) message. */
    sendReliable(message) {
      server.socket.send(JSON.stringify({ ...message, seq: ++server.seq }));
    },
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
  wss.on('connection', (socket) => {
    server.socket = socket;
    server.seq = 0; // reliable numbering starts at 1 for every new session
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      server.received.push(message);
      if (message.type === 'join') {
        socket.send(
          JSON.stringify({
            type: 'welcome',
            id: SELF_ID,
            room: message.room,
            resume: 'resume-token',
            resumed: false,
            ack: 0,
            peers,
          }),
        );
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    });
  });
  return server;
}
