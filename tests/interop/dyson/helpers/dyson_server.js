// A DysonNetwork-style chat server's realtime endpoint, written here to behave exactly as the
// real one was measured to (issue 14; README.md#use-with-a-dysonnetwork-chat-server), quirks
// included, because users run that server and not an idealized one:
//
// - GET /api/chat/realtime/{chatId} upgraded to a WebSocket; a chatId that is not a GUID (or any
//   other path) answers 404.
// - The account token is an HS256 JWT (sub = account id) read from ?tk=, an `Authorization:
//   Bearer` header or an `AuthToken` cookie; `access_token` is ignored. Refusals are plain HTTP
//   answers before the upgrade, in this order: 404, 401 (no or bad token, unknown account), 403
//   (not a member of the chat), 400 (not a WebSocket request). So a plain GET reads them.
// - On connect: a snake_case welcome {type:"webrtc", data:{user_id, room_id, message, timestamp,
//   participants}} whose participants are the other accounts with a socket in the room (never
//   your own). When an account opens its first socket in the room, a `user-joined` packet goes to
//   everyone in the room, the joiner included (so it can arrive after a welcome that already
//   listed that account).
// - The client sends {type:"webrtc.signal", data:{type, data, to}} (keys matched case-
//   insensitively). The server relays {type:"webrtc.signal", data:{type, data, to, account_id,
//   account}}: the inner data verbatim (null when absent: a flat packet is relayed with data
//   null), account_id and account set by the server. With `to`: every socket of that account in
//   the room except the sender's. Without: everyone in the room, the sender included.
// - No leave is ever announced. A frame that is not JSON, or whose data is not an object, closes
//   that socket abruptly (the client sees 1006). Other packet types are ignored.
//
// Usage: node dyson_server.js '<fixture JSON>' with PORT in the environment; the fixture is
// {secret, accounts: [{id, name, nick}], rooms: {chatId: [accountId, ...]}}. Prints
// "listening <port>", then one line per connection, refusal and closed socket.
import { createServer } from 'node:http';
import { jwtVerify } from 'jose';
import { WebSocketServer } from 'ws';

const fixture = JSON.parse(process.argv[2] ?? '{}');
const secret = new TextEncoder().encode(fixture.secret ?? 'dyson-test-secret');
const accounts = new Map((fixture.accounts ?? []).map((a) => [a.id, a]));
const members = new Map(Object.entries(fixture.rooms ?? {}).map(([room, ids]) => [room, new Set(ids)]));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** chatId -> Set of {socket, account} */
const rooms = new Map();

function packet(type, data) {
  return JSON.stringify({ type, data, endpoint: null, error_message: null });
}

function accountView(account) {
  return { id: account.id, name: account.name, nick: account.nick, profile: { bio: null }, created_at: '2026-01-01T00:00:00Z' };
}

/** A key of `object` matched case-insensitively, as ASP.NET's JSON binding does. */
function field(object, key) {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(object)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function cookie(header, name) {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

async function authenticate(request, url) {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  const token = url.searchParams.get('tk') ?? bearer ?? cookie(request.headers.cookie, 'AuthToken');
  if (!token) return undefined;
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
    return accounts.get(payload.sub);
  } catch {
    return undefined;
  }
}

/** What the endpoint answers before any upgrade: {status} to refuse, or {chatId, account}. */
async function admit(request) {
  const url = new URL(request.url, 'http://localhost');
  const match = /^\/api\/chat\/realtime\/([^/]+)$/.exec(url.pathname);
  if (!match || !GUID.test(match[1])) return { status: 404, body: 'Not Found' };
  const chatId = match[1];
  const account = await authenticate(request, url);
  if (!account) return { status: 401, body: 'Unauthorized' };
  if (!members.get(chatId)?.has(account.id)) return { status: 403, body: 'You are not a member of this chat room.' };
  return { chatId, account };
}

function refuse(response, { status, body }) {
  // The chat server's web client calls it from its own origin; any origin may read a refusal.
  response.writeHead(status, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' });
  response.end(body);
}

const http = createServer(async (request, response) => {
  const admitted = await admit(request);
  if (admitted.status) return refuse(response, admitted);
  refuse(response, { status: 400, body: 'Expected a WebSocket request.' });
});

const wss = new WebSocketServer({ noServer: true });

http.on('upgrade', async (request, socket, head) => {
  const admitted = await admit(request);
  if (admitted.status) {
    console.log(`refused ${admitted.status} ${request.url.replace(/tk=[^&]*/, 'tk=…')}`);
    socket.end(`HTTP/1.1 ${admitted.status} Refused\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => joined(ws, admitted.chatId, admitted.account));
});

function joined(ws, chatId, account) {
  let room = rooms.get(chatId);
  if (!room) rooms.set(chatId, (room = new Set()));
  const firstSocket = ![...room].some((m) => m.account.id === account.id);
  const participants = new Map();
  for (const m of room) {
    if (m.account.id === account.id || participants.has(m.account.id)) continue;
    participants.set(m.account.id, {
      identity: m.account.id,
      name: m.account.name,
      account_id: m.account.id,
      account: accountView(m.account),
      joined_at: m.joinedAt,
    });
  }
  const me = { socket: ws, account, joinedAt: new Date().toISOString() };
  room.add(me);
  console.log(`connected ${account.id} to ${chatId} (${room.size} sockets)`);
  ws.send(packet('webrtc', {
    user_id: account.id,
    room_id: chatId,
    message: 'Connected to call...',
    timestamp: me.joinedAt,
    participants: [...participants.values()],
  }));
  if (firstSocket) {
    const announce = packet('user-joined', { user_id: account.id, room_id: chatId, account: accountView(account), joined_at: me.joinedAt });
    for (const m of room) m.socket.send(announce);
  }

  ws.on('message', (raw, isBinary) => {
    let message;
    try {
      message = JSON.parse(isBinary ? Buffer.from(raw).toString('utf8') : raw.toString());
    } catch {
      console.log(`closing ${account.id}: not JSON`);
      return ws.terminate();
    }
    const data = message && typeof message === 'object' ? field(message, 'data') : undefined;
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      console.log(`closing ${account.id}: data is not an object`);
      return ws.terminate();
    }
    if (field(message, 'type') !== 'webrtc.signal') return;
    const to = field(data, 'to') ?? null;
    const relayed = packet('webrtc.signal', {
      type: field(data, 'type') ?? null,
      data: field(data, 'data') ?? null,
      to,
      account_id: account.id,
      account: accountView(account),
    });
    for (const m of room) {
      if (to === null ? true : m.account.id === to && m.socket !== ws) {
        if (m.socket.readyState === m.socket.OPEN) m.socket.send(relayed);
      }
    }
  });
  ws.on('close', () => {
    room.delete(me);
    console.log(`closed ${account.id} (no leave is announced)`);
  });
}

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${http.address().port}`);
});
