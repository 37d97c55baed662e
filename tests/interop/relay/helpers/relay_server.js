// The plain broadcast relay of the WebRTC tutorials, written here to behave exactly like the one
// the guides print (see issue 13): users run that server, so the tests run its behaviour, quirks
// included. It JSON.parses every frame (a frame that is not JSON throws in the handler and kills
// the process, for everyone), forwards only offer/answer/candidate with only the fields type,
// offer|answer|candidate, from and to, to every other open socket, ignores `to`, never checks
// `from`, and never sends anything of its own. A plain HTTP GET gets ws's 426.
//   PORT=8080 node relay_server.js      (prints "listening <port>")
import { WebSocket, WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: Number(process.env.PORT ?? 0) });
wss.on('listening', () => console.log(`listening ${wss.address().port}`));

function broadcast(sender, message) {
  const text = JSON.stringify(message);
  for (const client of wss.clients) {
    if (client !== sender && client.readyState === WebSocket.OPEN) client.send(text);
  }
}

wss.on('connection', (ws) => {
  ws.on('message', (message) => {
    const data = JSON.parse(message);
    switch (data.type) {
      case 'offer':
        broadcast(ws, { type: 'offer', offer: data.offer, from: data.from, to: data.to });
        break;
      case 'answer':
        broadcast(ws, { type: 'answer', answer: data.answer, from: data.from, to: data.to });
        break;
      case 'candidate':
        broadcast(ws, { type: 'candidate', candidate: data.candidate, from: data.from, to: data.to });
        break;
      default:
        console.log('Unknown message type', data.type);
    }
  });
});
