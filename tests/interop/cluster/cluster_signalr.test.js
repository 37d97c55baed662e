// Two demo/signalr-hub instances (real ASP.NET Core) with the SignalR Redis backplane on one
// real redis-server (RTC_SIGNALR_REDIS): SDK clients on different instances share a /hubs/room
// room, call each other and exchange data; one leaving is announced across instances.
import '../../node/helpers/globals.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { installWebRtc } from '../../node/helpers/globals.js';
import { once } from '../../node/helpers/events.js';
import { connect } from '../../../dist/index.js';
import { buildHub, startHub, token } from '../signalr/helpers/hub.js';
import { exchange, meshed, names, trackChannels } from '../helpers/mesh.js';
import { startRedis } from './helpers/redis.js';

let redis;
let hubs = [];
before(async () => {
  await installWebRtc();
  await buildHub();
  redis = await startRedis();
  const env = { RTC_SIGNALR_REDIS: `127.0.0.1:${redis.port}` };
  hubs = [await startHub(60_000, env), await startHub(60_000, env)];
}, { timeout: 300_000 });
after(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
  await redis?.stop();
});

async function client(hub, name, room = 'backplane', fallback = []) {
  const c = await connect({
    dialect: 'signalr',
    url: [hub, ...fallback].map((h) => `${h.ws}/hubs/room`),
    room,
    name,
    token: await token({ sub: name, name }),
    reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
    connectTimeoutMs: 10_000,
    ...(process.env.SR_DEBUG ? { logLevel: 'debug', logger: (e) => console.log(name, e.message.slice(0, 160)) } : {}),
  });
  return trackChannels(c);
}

test('Cluster_SignalrBackplaneRoomSpansTwoHubInstances', { timeout: 90_000 }, async (t) => {
  for (const h of hubs) assert.match(h.output(), /scale-out: SignalR Redis backplane/);
  const alice = await client(hubs[0], 'alice');
  const bob = await client(hubs[1], 'bob');
  const carol = await client(hubs[1], 'carol');
  const clients = [alice, bob, carol];
  t.after(() => Promise.all(clients.map((c) => c.close())));

  // The roster is shared: each sees the others, whichever instance they joined.
  const roster = { [alice.id]: 'alice', [bob.id]: 'bob', [carol.id]: 'carol' };
  for (const c of clients) {
    const expected = Object.fromEntries(Object.entries(roster).filter(([id]) => id !== c.id));
    if (Object.keys(names(c)).length < 2) await once(c, 'peer-joined', () => Object.keys(names(c)).length === 2, 20_000);
    assert.deepEqual(names(c), expected, `${c.id} sees the room across instances`);
  }
  await meshed(clients);
  await exchange(clients);
  // Members(), answered from the shared directory, lists all three on either instance.
  const listed = (await alice.invoke('Members')).map((p) => p.name).sort();
  assert.deepEqual(listed, ['alice', 'bob', 'carol']);

  // A departure on instance 1 reaches instance 0.
  const left = once(alice, 'peer-left', ({ id }) => id === carol.id, 20_000);
  await carol.close();
  await left;
  assert.deepEqual(Object.values(names(alice)), ['bob']);
});

test('Cluster_SignalrClientOfAKilledHubInstanceRejoinsOnTheOtherAndTheGhostIsReaped', { timeout: 90_000 }, async (t) => {
  const alice = await client(hubs[0], 'alice', 'failover', [hubs[1]]);
  const bob = await client(hubs[1], 'bob', 'failover');
  t.after(() => Promise.all([alice.close(), bob.close()]));
  if (bob.peers.length === 0) await once(bob, 'peer-joined', undefined, 20_000);
  await meshed([alice, bob]);
  const oldId = alice.id;

  const gone = once(bob, 'peer-left', ({ id }) => id === oldId, 20_000);
  const back = once(bob, 'peer-joined', ({ name }) => name === 'alice', 30_000);
  await hubs[0].stop('SIGKILL');
  const [{ id: newId }] = await Promise.all([back, gone]);
  assert.notEqual(newId, oldId, 'a fresh connection on the other instance: a new id');
  assert.equal(alice.id, newId, 'bob sees the id alice joined with');
  assert.equal(alice.state, 'open');
  assert.deepEqual(names(bob), { [newId]: 'alice' }, 'the ghost of the old connection is gone');
  // Her Welcome may still list her old connection if it came before the reap; the reaper's
  // PeerLeft reaches her too.
  if (Object.keys(names(alice)).length > 1) await once(alice, 'peer-left', ({ id }) => id === oldId, 20_000);
  assert.deepEqual(names(alice), { [bob.id]: 'bob' }, 'the roster re-synced from the Welcome');
  await meshed([alice, bob]);
  await exchange([alice, bob]);
});
