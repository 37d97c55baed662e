// Type test for the public API (js/index.d.ts, copied verbatim to dist/index.d.ts).
// Compiled with `tsc --strict --noEmit` (npx tsc -p tests/types); never executed.
// Positive cases pin exact types with Equal<>; `@ts-expect-error` cases fail the compile if the
// typings become too loose (an unused `@ts-expect-error` is itself an error).
import {
  connect,
  RtcSignalingError,
  type ChannelData,
  type Client,
  type ClientEvent,
  type ClientEvents,
  type ConnectOptions,
  type Dialect,
  type ErrorCode,
  type PeerConnectionState,
  type PeerSummary,
  type ReconnectOptions,
  type SessionState,
  type SignalrContract,
  type SignalrMethodNames,
  type SignalrOptions,
} from '../../js/index.js';

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): void {}
declare const client: Client;
declare const stream: MediaStream;

// --- options: every field, with its accepted forms -------------------------------------------
const everyOption: Required<ConnectOptions> = {
  url: 'ws://localhost:8080/signal',
  room: 'demo',
  name: 'alice',
  dialect: 'native',
  token: 'secret',
  iceServers: [{ urls: 'stun:stun.l.google.com:19302' }],
  reconnect: { initialDelayMs: 500, maxDelayMs: 30_000, maxAttempts: Infinity },
  localStream: stream,
  pingIntervalMs: 10_000,
  serverTimeoutMs: 25_000,
  connectTimeoutMs: 15_000,
  iceGraceMs: 5_000,
  signalr: { contract: 'room', methods: { Join: 'JoinRoom' }, skipNegotiation: true },
};
const minimal: ConnectOptions = { url: 'ws://x/signal', room: 'r' };
const syncToken: ConnectOptions = { ...minimal, token: () => 't' };
const asyncToken: ConnectOptions = { ...minimal, token: async () => 't' };
const noReconnect: ConnectOptions = { ...minimal, reconnect: false };
const emptyReconnect: ReconnectOptions = {};
void [everyOption, syncToken, asyncToken, noReconnect, emptyReconnect];

// --- signalr: contracts, per-contract method renames, negotiation ------------------------------
const hub: ConnectOptions = { url: 'wss://example.com/hubs/room', room: 'r', dialect: 'signalr' };
const defaultContract: SignalrOptions = {};
const roomRenames: SignalrOptions = {
  methods: { Join: 'a', Signal: 'b', Leave: 'c', Welcome: 'd', PeerJoined: 'e', PeerLeft: 'f' },
};
const signalrtc: SignalrOptions = {
  contract: 'signalrtc',
  methods: {
    NewUser: 'a',
    HelloUser: 'b',
    SendSignal: 'c',
    NewUserArrived: 'd',
    UserSaidHello: 'e',
    UserDisconnect: 'f',
  },
};
const codelab: SignalrOptions = {
  contract: 'codelab',
  skipNegotiation: false,
  methods: {
    CreateOrJoinRoom: 'a',
    SendMessage: 'b',
    LeaveRoom: 'c',
    created: 'd',
    joined: 'e',
    join: 'f',
    full: 'g',
    message: 'h',
  },
};
void [defaultContract, roomRenames, signalrtc, codelab];
void connect({ ...hub, signalr: { contract: 'signalrtc' } });
assertType<Equal<SignalrContract, 'room' | 'signalrtc' | 'codelab'>>();
assertType<Equal<ConnectOptions['signalr'], SignalrOptions | undefined>>();
assertType<
  Equal<
    SignalrMethodNames,
    {
      room: 'Join' | 'Signal' | 'Leave' | 'Welcome' | 'PeerJoined' | 'PeerLeft';
      signalrtc:
        | 'NewUser'
        | 'HelloUser'
        | 'SendSignal'
        | 'NewUserArrived'
        | 'UserSaidHello'
        | 'UserDisconnect';
      codelab:
        | 'CreateOrJoinRoom'
        | 'SendMessage'
        | 'LeaveRoom'
        | 'created'
        | 'joined'
        | 'join'
        | 'full'
        | 'message';
    }
  >
>();

// @ts-expect-error unknown contract name
void connect({ ...hub, signalr: { contract: 'seed' } });
// @ts-expect-error contract names are case-sensitive
void connect({ ...hub, signalr: { contract: 'SignalRTC' } });
// @ts-expect-error method renames are keyed by the contract's names (room has no NewUser)
void connect({ ...hub, signalr: { methods: { NewUser: 'Hello' } } });
// @ts-expect-error ... and checked against the chosen contract (signalrtc has no Join)
void connect({ ...hub, signalr: { contract: 'signalrtc', methods: { Join: 'Enter' } } });
// @ts-expect-error a rename is a hub method name (string)
void connect({ ...hub, signalr: { methods: { Join: true } } });
// @ts-expect-error skipNegotiation is a boolean
void connect({ ...hub, signalr: { skipNegotiation: 'yes' } });

assertType<Equal<Dialect, 'native' | 'signalr' | 'relay' | 'dyson' | 'peerjs'>>();
assertType<Equal<ConnectOptions['token'], string | (() => string | Promise<string>) | undefined>>();
assertType<Equal<ConnectOptions['reconnect'], ReconnectOptions | false | undefined>>();
assertType<Equal<Awaited<ReturnType<typeof connect>>, Client>>();

// @ts-expect-error url is required
void connect({ room: 'r' });
// @ts-expect-error room is required
void connect({ url: 'ws://x/signal' });
// @ts-expect-error unknown dialect
void connect({ ...minimal, dialect: 'socketio' });
// @ts-expect-error reconnect: true is not a policy (an object or false)
void connect({ ...minimal, reconnect: true });
// @ts-expect-error maxAttempts is a number
void connect({ ...minimal, reconnect: { maxAttempts: '3' } });
// @ts-expect-error token is a string or a function returning one
void connect({ ...minimal, token: 42 });
// @ts-expect-error a token function must return a string (or a promise of one)
void connect({ ...minimal, token: async () => 42 });
// @ts-expect-error timeouts are numbers
void connect({ ...minimal, connectTimeoutMs: '15s' });
// @ts-expect-error iceServers is an array of RTCIceServer
void connect({ ...minimal, iceServers: 'stun:stun.l.google.com:19302' });
// @ts-expect-error unknown option (excess property)
void connect({ ...minimal, roomName: 'r' });

// --- client members --------------------------------------------------------------------------
assertType<
  Equal<SessionState, 'idle' | 'connecting' | 'joining' | 'open' | 'reconnecting' | 'closed'>
>();
assertType<
  Equal<
    PeerConnectionState,
    'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed'
  >
>();
assertType<Equal<typeof client.id, string>>();
assertType<Equal<typeof client.state, SessionState>>();
assertType<Equal<PeerSummary, { id: string; name: string; state: PeerConnectionState }>>();
assertType<Equal<typeof client.peers, PeerSummary[]>>();
assertType<Equal<ReturnType<Client['broadcast']>, number>>();
assertType<Equal<ReturnType<Client['close']>, Promise<void>>>();
assertType<Equal<ChannelData, string | ArrayBuffer | ArrayBufferView>>();

client.send('peer-1', 'text');
client.send('peer-1', new ArrayBuffer(4));
client.send('peer-1', new Uint8Array([1, 2]));
client.broadcast(new DataView(new ArrayBuffer(2)));
client.setLocalStream(stream);
client.setLocalStream(null);
client.restartIce('peer-1');

// @ts-expect-error id is read-only
client.id = 'other';
// @ts-expect-error state is read-only
client.state = 'open';
// @ts-expect-error numbers are not channel data
client.send('peer-1', 42);
// @ts-expect-error objects are not channel data (stringify them first)
client.broadcast({ hello: 'world' });
// @ts-expect-error setLocalStream takes a stream or null
client.setLocalStream(undefined);
// @ts-expect-error send needs the peer id
client.send('hello');

// --- events: every name and the exact payload of each ----------------------------------------
assertType<
  Equal<
    ClientEvent,
    | 'state'
    | 'peer-joined'
    | 'peer-left'
    | 'peer-state'
    | 'reconnecting'
    | 'error'
    | 'track'
    | 'data'
    | 'channel'
  >
>();
assertType<Equal<ClientEvents['state'], { state: SessionState }>>();
assertType<Equal<ClientEvents['peer-joined'], { id: string; name: string }>>();
assertType<Equal<ClientEvents['peer-left'], { id: string; reason: string }>>();
assertType<Equal<ClientEvents['peer-state'], { id: string; state: PeerConnectionState }>>();
assertType<Equal<ClientEvents['reconnecting'], { attempt: number; delayMs: number }>>();
assertType<Equal<ClientEvents['error'], { code: ErrorCode; message: string; fatal: boolean }>>();
assertType<
  Equal<
    ClientEvents['track'],
    { id: string; track: MediaStreamTrack; streams: readonly MediaStream[] }
  >
>();
assertType<Equal<ClientEvents['data'], { id: string; data: string | ArrayBuffer }>>();
assertType<Equal<ClientEvents['channel'], { id: string; state: 'open' | 'closed' }>>();

const off: () => void = client.on('state', ({ state }) => {
  const s: SessionState = state;
  void s;
});
off();
client.on('peer-joined', ({ id, name }) => void `${id}${name}`);
client.on('peer-left', ({ id, reason }) => void `${id}${reason}`);
client.on('peer-state', ({ state }) => {
  if (state === 'failed') client.restartIce('peer-1');
});
client.on('reconnecting', ({ attempt, delayMs }) => void (attempt + delayMs));
client.on('error', ({ code, message, fatal }) => void [code, message, fatal]);
client.on('track', ({ track, streams }) => void [track.kind, streams[0]?.id]);
client.on('data', ({ data }) => {
  const text: string = typeof data === 'string' ? data : new TextDecoder().decode(data);
  void text;
});
client.on('channel', ({ state }) => {
  const open: boolean = state === 'open';
  void open;
});

// @ts-expect-error wrong event name
client.on('peer-join', () => {});
// @ts-expect-error event names are case-sensitive
client.on('Data', () => {});
// @ts-expect-error peer-joined has no `nmae` field
client.on('peer-joined', ({ nmae }) => void nmae);
// @ts-expect-error data is not always a string
client.on('data', ({ data }) => data.toUpperCase());
// @ts-expect-error a data payload is never a number
client.on('data', ({ data }) => ((n: number) => n)(data));
// @ts-expect-error peer-state carries a connection state, not a session state
client.on('peer-state', ({ state }) => state === 'reconnecting');
// @ts-expect-error reconnecting has no `delay` field (it is delayMs)
client.on('reconnecting', ({ delay }) => delay);
// @ts-expect-error track streams are read-only
client.on('track', ({ streams }) => streams.push(stream));
// @ts-expect-error error.fatal is a boolean
client.on('error', ({ fatal }) => ((s: string) => s)(fatal));
// @ts-expect-error a state listener does not receive a bare string
client.on('state', (state: SessionState) => state);

// --- error codes: the documented list, exactly ---------------------------------------------
// ErrorCode is open-ended ((string & {})) so future server codes still type-check; its literal
// members are the documented, stable ones. The `satisfies` fails if one is added or removed here
// but not in the typings (missing key), or vice versa (excess key).
type KnownCode<T> = T extends string ? (string extends T ? never : T) : never;
const documentedCodes = {
  unauthorized: 'fatal',
  forbidden: 'fatal',
  'room-full': 'fatal',
  timeout: 'fatal',
  'reconnect-exhausted': 'fatal',
  'invalid-config': 'fatal',
  'unsupported-dialect': 'fatal',
  closed: 'fatal',
  'server-closed': 'fatal',
  'bad-message': 'event',
  'message-too-large': 'event',
  'outbox-full': 'event',
  'roster-full': 'event',
  'server-error': 'event',
  'negotiation-failed': 'event',
  'token-failed': 'event',
  'unknown-peer': 'thrown',
  'channel-closed': 'thrown',
  'invalid-data': 'thrown',
  'invalid-event': 'thrown',
} satisfies Record<KnownCode<ErrorCode>, 'fatal' | 'event' | 'thrown'>;
assertType<Equal<keyof typeof documentedCodes, KnownCode<ErrorCode>>>();

async function handle(): Promise<void> {
  try {
    await connect(minimal);
  } catch (error) {
    if (error instanceof RtcSignalingError) {
      assertType<Equal<typeof error.code, ErrorCode>>();
      assertType<Equal<typeof error.fatal, boolean>>();
      assertType<Equal<typeof error.name, 'RtcSignalingError'>>();
      switch (error.code) {
        case 'unauthorized':
        case 'forbidden':
        case 'room-full':
        case 'timeout':
          break;
      }
      // @ts-expect-error code is read-only
      error.code = 'timeout';
    }
  }
}
void handle;

const constructed = new RtcSignalingError('timeout', 'not joined in time', true, { cause: 'x' });
const isError: Error = constructed;
void isError;
// @ts-expect-error fatal is a boolean
new RtcSignalingError('timeout', 'm', 'yes');
