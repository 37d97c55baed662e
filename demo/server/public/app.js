// Minimal demo: join a room through the SDK and list state and peers as they change.
import { connect } from '/sdk/index.js';

const $ = (id) => document.getElementById(id);
const form = $('join');
const leaveButton = $('leave');
form.elements.name.value ||= `guest-${Math.random().toString(36).slice(2, 6)}`;

let client = null;

function log(text, isError = false) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  if (isError) item.className = 'error';
  $('log').prepend(item);
}

function renderPeers() {
  const list = $('peers');
  list.replaceChildren();
  // peers may be an array of {id, name} or a Map keyed by id; accept both.
  const peers = client?.peers ?? [];
  const entries = peers instanceof Map ? [...peers].map(([id, p]) => ({ ...p, id })) : [...peers];
  for (const peer of entries) {
    const item = document.createElement('li');
    item.textContent = `${peer.name || '(no name)'} — ${peer.id}`;
    list.append(item);
  }
}

function render() {
  $('state').textContent = client?.state ?? 'idle';
  $('id').textContent = client?.id ?? '–';
  renderPeers();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  form.elements[2].disabled = true;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${location.host}/signal`;
  const room = form.elements.room.value;
  const name = form.elements.name.value;
  $('state').textContent = 'connecting';
  try {
    client = await connect({ url, room, name });
  } catch (err) {
    log(`connect failed: ${err.code ?? ''} ${err.message}`, true);
    form.elements[2].disabled = false;
    render();
    return;
  }
  log(`joined ${room} as ${client.id}`);
  client.on('state', ({ state }) => {
    log(`state ${state}`);
    render();
  });
  client.on('peer-joined', ({ id, name }) => {
    log(`${name} (${id}) joined`);
    render();
  });
  client.on('peer-left', ({ id, reason }) => {
    log(`${id} left (${reason})`);
    render();
  });
  client.on('reconnecting', ({ attempt, delayMs }) => log(`reconnecting: attempt ${attempt} in ${delayMs} ms`));
  client.on('error', ({ code, message, fatal }) => log(`error ${code}: ${message}${fatal ? ' (fatal)' : ''}`, true));
  leaveButton.disabled = false;
  render();
});

leaveButton.addEventListener('click', async () => {
  leaveButton.disabled = true;
  await client?.close();
  client = null;
  form.elements[2].disabled = false;
  log('left');
  render();
});
