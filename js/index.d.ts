/**
 * rtc-signaling — WebRTC signaling client: rooms, reconnection with backoff, message validation
 * and perfect negotiation, run by a C++ core compiled to WebAssembly.
 */

/**
 * Signaling dialects. Available: `'native'` (the reference server) and `'signalr'` (an ASP.NET Core
 * SignalR hub; see {@link SignalrOptions}). `'relay'`, `'dyson'` and `'peerjs'` are planned:
 * connect() rejects them with `unsupported-dialect`.
 */
export type Dialect = 'native' | 'signalr' | 'relay' | 'dyson' | 'peerjs';

/**
 * Hub method sets the `signalr` dialect speaks.
 * - `'room'` (default): `Join(room, name)`, `Signal(toId, payloadJson)`, `Leave()`; the hub calls
 *   `Welcome(selfId, peers)`, `PeerJoined(peer)`, `Signal(fromId, payloadJson)`, `PeerLeft(id)`.
 * - `'signalrtc'`: the Angular + simple-peer tutorial hub: `NewUser(userName)`,
 *   `HelloUser(userName, toConnectionId)`, `SendSignal(signalJson, toConnectionId)`; the hub calls
 *   `NewUserArrived(json)`, `UserSaidHello(json)`, `SendSignal(fromConnectionId, signalJson)`,
 *   `UserDisconnect(connectionId)`. Signals are simple-peer's; `room` is ignored.
 * - `'codelab'`: two-person rooms: `CreateOrJoinRoom(room)`, `SendMessage(room, message)`,
 *   `LeaveRoom(room)`; the hub calls `created`, `joined`, `join`, `full`, `message`.
 */
export type SignalrContract = 'room' | 'signalrtc' | 'codelab';

/** The hub method names of each contract, as keys of {@link SignalrOptions.methods}. */
export interface SignalrMethodNames {
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

/** `signalr` options for one contract; `methods` is keyed by that contract's method names. */
export type SignalrOptionsFor<C extends SignalrContract> = {
  /** Which hub methods mean join, signal and leave. Default `'room'`. */
  contract?: C;
  /**
   * Renames hub methods: key = the contract's name (e.g. `Join`), value = your hub's. A name
   * serves both directions where a contract uses it both ways (`Signal`, `SendSignal`); names
   * the hub invokes match case-insensitively, as in the official clients.
   */
  methods?: { [K in SignalrMethodNames[C]]?: string };
  /**
   * Connect the WebSocket directly without `POST {hub}/negotiate`, like the official client's
   * `skipNegotiation`. Default false. Stateful reconnect needs negotiate, so it is off then.
   */
  skipNegotiation?: boolean;
};

/** Options of the `signalr` dialect; contract `'room'` when none is given. */
export type SignalrOptions =
  | (SignalrOptionsFor<'room'> & { contract?: 'room' })
  | (SignalrOptionsFor<'signalrtc'> & { contract: 'signalrtc' })
  | (SignalrOptionsFor<'codelab'> & { contract: 'codelab' });

/** The signaling session's lifecycle. */
export type SessionState = 'idle' | 'connecting' | 'joining' | 'open' | 'reconnecting' | 'closed';

/** RTCPeerConnection.connectionState of the connection to one peer. */
export type PeerConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/**
 * Stable error codes.
 * Fatal (the session ends): `unauthorized`, `forbidden`, `room-full`, `timeout`,
 * `reconnect-exhausted`, `invalid-config`, `unsupported-dialect`, `closed`, `server-closed` (the
 * server ended the session and said not to come back: a SignalR Close without `allowReconnect`,
 * or a refused handshake).
 * Non-fatal (reported on the `error` event): `bad-message`, `message-too-large`, `outbox-full`,
 * `roster-full` (the server announced more peers than the roster holds; they are ignored),
 * `server-error`, `negotiation-failed`, `token-failed`.
 * Thrown by methods: `unknown-peer`, `channel-closed`, `invalid-data`, `invalid-event`, `closed`.
 */
export type ErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'room-full'
  | 'timeout'
  | 'reconnect-exhausted'
  | 'invalid-config'
  | 'unsupported-dialect'
  | 'closed'
  | 'server-closed'
  | 'bad-message'
  | 'message-too-large'
  | 'outbox-full'
  | 'roster-full'
  | 'server-error'
  | 'negotiation-failed'
  | 'token-failed'
  | 'unknown-peer'
  | 'channel-closed'
  | 'invalid-data'
  | 'invalid-event'
  | (string & {});

/** Every error thrown or rejected by this package. */
export class RtcSignalingError extends Error {
  constructor(code: ErrorCode, message?: string, fatal?: boolean, options?: { cause?: unknown });
  readonly name: 'RtcSignalingError';
  /** Stable string to switch on. */
  readonly code: ErrorCode;
  /** True when the session ended because of it. */
  readonly fatal: boolean;
  /**
   * For a rejected connect(): the last non-fatal error reported before the session ended
   * (e.g. `token-failed` behind `reconnect-exhausted`), when there was one.
   */
  readonly cause?: unknown;
}

export interface ReconnectOptions {
  /** Upper bound of the second attempt's delay; doubles per attempt (full jitter). Default 500. */
  initialDelayMs?: number;
  /** Cap on the delay bound. Default 30000. */
  maxDelayMs?: number;
  /** Give up with `reconnect-exhausted` after this many attempts. Default Infinity; 0 = never retry. */
  maxAttempts?: number;
}

export interface ConnectOptions {
  /** Signaling endpoint, e.g. `ws://localhost:8080/signal`. */
  url: string;
  /** Room to join. */
  room: string;
  /** Display name shown to the other peers (at most 64 UTF-8 bytes are sent). */
  name?: string;
  /**
   * Default `'native'`. `'signalr'` talks to an ASP.NET Core SignalR hub (`url` is the hub's
   * URL with a ws:// or wss:// scheme, e.g. `wss://example.com/hubs/room`); the planned dialects reject with `unsupported-dialect`.
   */
  dialect?: Dialect;
  /** Only with `dialect: 'signalr'`: the hub contract, method renames and negotiation. */
  signalr?: SignalrOptions;
  /**
   * Access token sent as the `access_token` query parameter. A function is called before every
   * connection attempt, so it can return a fresh token.
   */
  token?: string | (() => string | Promise<string>);
  /** Passed to every RTCPeerConnection. */
  iceServers?: RTCIceServer[];
  /** Reconnect policy, or `false` to end the session when the connection drops. */
  reconnect?: ReconnectOptions | false;
  /** Tracks to send to every peer; change later with `setLocalStream()`. */
  localStream?: MediaStream;
  /** Advanced: ping after this long without outgoing traffic. Default 10000 (signalr: 15000). */
  pingIntervalMs?: number;
  /** Advanced: the server is dead after this long silent. Default 25000 (signalr: 30000). */
  serverTimeoutMs?: number;
  /** Advanced: `connect()` rejects with `timeout` if not joined by then. Default 15000. */
  connectTimeoutMs?: number;
  /** Advanced: a connection `disconnected` this long gets an ICE restart. Default 5000. */
  iceGraceMs?: number;
}

export interface PeerSummary {
  id: string;
  name: string;
  state: PeerConnectionState;
}

/** Payload of every event, by name. */
export interface ClientEvents {
  state: { state: SessionState };
  'peer-joined': { id: string; name: string };
  /** `reason`: `'left'` | `'timeout'` | `'gone'` (missing after a resume). */
  'peer-left': { id: string; reason: string };
  'peer-state': { id: string; state: PeerConnectionState };
  /** `delayMs` until the `attempt`-th reconnection attempt. */
  reconnecting: { attempt: number; delayMs: number };
  error: { code: ErrorCode; message: string; fatal: boolean };
  track: { id: string; track: MediaStreamTrack; streams: readonly MediaStream[] };
  /** A data-channel message: string for text, ArrayBuffer for binary. */
  data: { id: string; data: string | ArrayBuffer };
  /** The data channel to a peer opened or closed. */
  channel: { id: string; state: 'open' | 'closed' };
}

export type ClientEvent = keyof ClientEvents;
export type ChannelData = string | ArrayBuffer | ArrayBufferView;

export interface ClientStats {
  framesReceived: number;
  framesDropped: number;
  unknownTypes: number;
  signalsReceived: number;
  signalsSent: number;
  reconnects: number;
}

export interface Client {
  /** This client's id, assigned by the server. */
  readonly id: string;
  readonly state: SessionState;
  /** The other peers in the room. */
  readonly peers: PeerSummary[];
  /** The core's counters; `signalsReceived` counts signals applied after seq dedupe. null once closed. */
  readonly stats: ClientStats | null;
  /**
   * Subscribes to an event; returns a function that unsubscribes. A listener that throws is
   * reported (reportError / console.error) and does not affect the client.
   */
  on<E extends ClientEvent>(event: E, listener: (payload: ClientEvents[E]) => void): () => void;
  /** Sends over the peer's data channel. Throws `unknown-peer` or `channel-closed`. */
  send(peerId: string, data: ChannelData): void;
  /** Sends to every peer whose data channel is open; returns how many peers it reached. */
  broadcast(data: ChannelData): number;
  /** Adds this stream's tracks to every connection, replacing the previous stream's; null removes them. */
  setLocalStream(stream: MediaStream | null): void;
  /** Requests an ICE restart towards one peer. Throws `unknown-peer`. */
  restartIce(peerId: string): void;
  /** Leaves the room, closes every connection and frees the WebAssembly resources. */
  close(): Promise<void>;
}

/**
 * Connects and joins `options.room`. Resolves once joined; rejects with an `RtcSignalingError`
 * whose `code` says why the session ended first (`unauthorized`, `forbidden`, `room-full`,
 * `timeout`, `reconnect-exhausted`, `unsupported-dialect`, `invalid-config`, ...).
 */
export function connect(options: ConnectOptions): Promise<Client>;
/**
 * Fetches and instantiates the wasm core ahead of the first connect() (e.g. when the join screen
 * mounts), so connecting does not wait for the module. Idempotent.
 */
export function preload(): Promise<void>;

/** @internal Number of live wasm drivers; used by the package's leak tests. */
export function _liveDrivers(): Promise<number>;
/** @internal The wasm linear memory size in bytes (it never shrinks). */
export function _wasmMemoryBytes(): Promise<number>;
