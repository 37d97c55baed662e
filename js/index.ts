// rtc-signaling: the public JavaScript API (README.md#api).
//
// A thin, typed shell around the wasm core: it validates options, loads the module once, turns the
// driver's emit(type, payload) callback into events and a connect() promise, and frees the driver
// on close(). Protocol decisions live in the core; browser plumbing in the wasm Driver.
// Compiled by `tsc -p js` (strict) into dist/index.js and dist/index.d.ts.

import type { CoreModule, CoreError, CoreEvent, CoreConfig } from './rtc-signaling-core.js';

/**
 * Signaling dialects. Available: `'native'` (the reference server), `'signalr'` (an ASP.NET Core
 * SignalR hub; see {@link SignalrOptions}) and `'relay'` (a plain WebSocket server that broadcasts
 * `offer`/`answer`/`candidate` frames to every other socket, as in the WebRTC tutorials: no
 * authentication, ids are self-asserted) and `'dyson'` (the realtime endpoint of a DysonNetwork-style
 * chat server: `url` is its base, `room` the chat id, `token` the account token; a peer is
 * `<account id>:<device>`). `'peerjs'` is planned: connect() rejects it with `unsupported-dialect`.
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
 * - `'ekobit'` (alias `'codelab'`): the Ekobit article's two-person hub: `CreateOrJoinRoom(room)`,
 *   `SendMessage(message, room)`, `LeaveRoom(room)`; the hub calls `created()`, `joined()` (to the
 *   whole group), `message(message)`, `log(text)`. Messages are the Google codelab shapes.
 * - `'snaprtc'`: the SnapRTC session hub: `Sync(session, ready)`, `SignalCapture(session, payload)`,
 *   `SignalInitiator(session, payload)`; the hub calls `signalStart()`, `signalCapture(payload)`,
 *   `signalInitiator(payload)`, each to the whole session. `room` is the session id and
 *   {@link SignalrOptionsFor.role} is required. Payloads are lz-string compressed simple-peer
 *   signals, sent without trickle (once ICE gathering is over).
 */
export type SignalrContract = 'room' | 'signalrtc' | 'ekobit' | 'codelab' | 'snaprtc';

/** Method names of the ekobit hub contract. */
type EkobitMethodNames = 'CreateOrJoinRoom' | 'SendMessage' | 'LeaveRoom' | 'created' | 'joined' | 'full' | 'message' | 'log';

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
  ekobit: EkobitMethodNames;
  codelab: EkobitMethodNames;
  snaprtc: 'Sync' | 'SignalCapture' | 'SignalInitiator' | 'signalStart' | 'signalCapture' | 'signalInitiator';
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
  /**
   * `snaprtc` only, and required there: this side of the session. The `'initiator'` joins first
   * and offers once the `'capture'` side says it is ready.
   */
  role?: C extends 'snaprtc' ? 'initiator' | 'capture' : never;
};

/** Options of the `signalr` dialect; contract `'room'` when none is given. */
export type SignalrOptions =
  | (SignalrOptionsFor<'room'> & { contract?: 'room' })
  | (SignalrOptionsFor<'signalrtc'> & { contract: 'signalrtc' })
  | (SignalrOptionsFor<'ekobit'> & { contract: 'ekobit' })
  | (SignalrOptionsFor<'codelab'> & { contract: 'codelab' })
  | (SignalrOptionsFor<'snaprtc'> & { contract: 'snaprtc'; role: 'initiator' | 'capture' });

/**
 * The signaling session's lifecycle. `'dormant'` only with `signaling: 'until-connected'`: the
 * socket was closed on purpose once every peer was connected; calls go on, and it reopens by
 * itself when a signal has to go out.
 */
export type SessionState = 'idle' | 'connecting' | 'joining' | 'open' | 'reconnecting' | 'dormant' | 'closed';

/** RTCPeerConnection.connectionState of the connection to one peer. */
export type PeerConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/**
 * Stable error codes.
 * Fatal (the session ends): `unauthorized`, `forbidden`, `room-full`, `timeout`,
 * `reconnect-exhausted`, `invalid-config`, `unsupported-dialect`, `closed`, `server-closed` (the
 * server ended the session and said not to come back: a SignalR Close without `allowReconnect`,
 * or a refused handshake), `not-found` (dyson: the server has no such chat room, HTTP 404).
 * Non-fatal (reported on the `error` event): `bad-message`, `message-too-large`, `outbox-full`,
 * `roster-full` (the server announced more peers than the roster holds; they are ignored),
 * `server-error`, `negotiation-failed`, `token-failed`, `connect-failed` (an attempt's socket did
 * not open; the message says why: no HTTP answer, or the HTTP status the URL gave).
 * Thrown by methods: `unknown-peer`, `channel-closed`, `invalid-data`, `invalid-event`, `closed`.
 * Rejected by `invoke()`: `hub-error` (the hub's error), `not-open` (no open session, or the hub
 * connection closed before the answer), and `invalid-data`, `message-too-large`,
 * `unsupported-dialect`, `closed`.
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
  | 'not-found'
  | 'bad-message'
  | 'message-too-large'
  | 'outbox-full'
  | 'roster-full'
  | 'server-error'
  | 'negotiation-failed'
  | 'token-failed'
  | 'connect-failed'
  | 'unknown-peer'
  | 'channel-closed'
  | 'invalid-data'
  | 'invalid-event'
  | 'hub-error'
  | 'not-open'
  | (string & {});

export interface ReconnectOptions {
  /** Upper bound of the second attempt's delay; doubles per attempt (full jitter). Default 500. */
  initialDelayMs?: number;
  /** Cap on the delay bound. Default 30000. */
  maxDelayMs?: number;
  /** Give up with `reconnect-exhausted` after this many attempts. Default Infinity; 0 = never retry. */
  maxAttempts?: number;
}

export interface ConnectOptions {
  /**
   * Signaling endpoint, e.g. `ws://localhost:8080/signal`, or several endpoints of the same
   * service (e.g. reference server instances sharing a resume secret): the first attempt uses the first;
   * an attempt that fails before the session opens moves on to the next, in list order, wrapping
   * around; a session that was open retries its own endpoint first. The backoff is the same.
   */
  url: string | string[];
  /** Room to join. */
  room: string;
  /** Display name shown to the other peers (at most 64 UTF-8 bytes are sent). */
  name?: string;
  /**
   * Default `'native'`. `'signalr'` talks to an ASP.NET Core SignalR hub (`url` is the hub's
   * URL with a ws:// or wss:// scheme, e.g. `wss://example.com/hubs/room`); `'relay'` talks to a
   * tutorial broadcast server (the client picks its own id; presence travels in the relayed
   * frames); `'dyson'` talks to a chat server's realtime base (`room` is the chat id, a GUID;
   * names come from the server's accounts); the planned dialects reject with `unsupported-dialect`.
   */
  dialect?: Dialect;
  /** Only with `dialect: 'signalr'`: the hub contract, method renames and negotiation. */
  signalr?: SignalrOptions;
  /**
   * When the signaling socket stays open. Default `'always'`: it reconnects whenever it drops.
   * `'until-connected'`: once every peer connection is `connected` (and has nothing left to
   * signal) the socket closes and `state` becomes `'dormant'`; data and media go on, no
   * reconnect is attempted, and it reopens only when a signal must go out (renegotiation, an ICE
   * restart) or a connection falters. New peers cannot be met while dormant. See the README's
   * "Signaling only for setup".
   */
  signaling?: 'always' | 'until-connected';
  /**
   * Default `true`: once a peer's connection is up, its offers, answers and candidates travel on
   * a data channel of that connection (negotiated, id 1, label `signaling`) instead of the
   * server, so a camera, a screen share or an ICE restart works while the server is unreachable.
   * Used only with peers that announce it (rtc-signaling peers with it on); with any other peer
   * everything stays on the server. See the README's "Calls without a server".
   */
  inBandSignaling?: boolean;
  /**
   * Access token sent as the `access_token` query parameter. A function is called before every
   * connection attempt, so it can return a fresh token.
   */
  token?: string | (() => string | Promise<string>);
  /**
   * STUN/TURN servers, passed to every RTCPeerConnection. Default `[]`: peers connect only where
   * host candidates reach (one machine, one LAN); across NATs they need STUN and often TURN (see
   * the README's "Networks and TURN").
   */
  iceServers?: RTCIceServer[];
  /** Passed to every RTCPeerConnection; `'relay'` forces TURN (to test a TURN server). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * How much the SDK logs. Default `'silent'`. `'error'`: fatal errors; `'warn'`: also non-fatal
   * ones (a dropped frame with its reason) and setup warnings (no `iceServers` on a page that is
   * not on this machine); `'info'`: also state changes, attempts, peers joining, leaving and
   * connecting; `'debug'`: also every command the core issues (sockets, HTTP, negotiation steps).
   * Tokens are never logged: URLs lose their query, frames and SDPs appear by size only.
   */
  logLevel?: LogLevel;
  /** Where log entries go. Default: `console.error`/`warn`/`info`/`debug` with an `rtc-signaling:` prefix. */
  logger?: (entry: LogEntry) => void;
  /** Reconnect policy, or `false` to end the session when the connection drops. */
  reconnect?: ReconnectOptions | false;
  /** Tracks to send to every peer; change later with `setLocalStream()`. */
  localStream?: MediaStream;
  /**
   * Advanced: ping after this long without outgoing traffic. Default 10000 (signalr: 15000;
   * relay, dyson: 5000, the presence heartbeat: a peer silent for three of them is gone).
   */
  pingIntervalMs?: number;
  /** Advanced: the server is dead after this long silent. Default 25000 (signalr: 30000). */
  serverTimeoutMs?: number;
  /** Advanced: `connect()` rejects with `timeout` if not joined by then. Default 15000. */
  connectTimeoutMs?: number;
  /** Advanced: a connection `disconnected` this long gets an ICE restart. Default 5000. */
  iceGraceMs?: number;
  /**
   * Listeners attached before the first attempt, so what happens while `connect()` is pending is
   * visible: `state`, `reconnecting`, and non-fatal `error`s such as `connect-failed` (why an
   * attempt's socket did not open) and `token-failed`. The same as `client.on()` for each, only
   * earlier; they stay subscribed.
   */
  on?: ClientListeners;
}

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/** One log line; `level` is never `'silent'`. */
export interface LogEntry {
  level: Exclude<LogLevel, 'silent'>;
  message: string;
}

/** A connection's quality from its stats: round-trip time and inbound packet loss. */
export type ConnectionQuality = 'good' | 'poor' | 'bad';

/** One listener per event, for `ConnectOptions.on`. */
export type ClientListeners = { [E in ClientEvent]?: (payload: ClientEvents[E]) => void };

export interface PeerSummary {
  id: string;
  name: string;
  state: PeerConnectionState;
  /**
   * Where signals to this peer go now: `'in-band'` on the connection's own channel (both ends
   * are rtc-signaling with `inBandSignaling`, and the connection is up), otherwise `'server'`.
   */
  signaling: 'server' | 'in-band';
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
  /**
   * A connected peer's quality changed (checked every 2 s while anyone listens): `good` (RTT under
   * 300 ms, loss under 3 %), `poor` (under 800 ms, under 10 %) or `bad`. `rttMs` from the selected
   * candidate pair, `lossPercent` from inbound media over the last interval (null without media).
   */
  quality: { id: string; quality: ConnectionQuality; rttMs: number | null; lossPercent: number | null };
}

export type ClientEvent = keyof ClientEvents;
export type ChannelData = string | ArrayBuffer | ArrayBufferView;

export interface ClientStats {
  framesReceived: number;
  framesDropped: number;
  unknownTypes: number;
  /** Signals from the server applied (after seq dedupe). */
  signalsReceived: number;
  /** Signals written to the server. */
  signalsSent: number;
  /** Signals applied from peers' signaling channels (`inBandSignaling`). */
  signalsReceivedInBand: number;
  /** Signals sent on peers' signaling channels. */
  signalsSentInBand: number;
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
  /**
   * `dialect: 'signalr'`: invokes a method of the hub on the SDK's own hub connection and resolves
   * with the hub's result (`null` for a method without one). Rejects with `hub-error` (the hub's
   * error, e.g. a `HubException`'s message), `not-open` (the session is not open, or the hub
   * connection closed before the hub answered), `invalid-data` (arguments that are not JSON),
   * `message-too-large`, `unsupported-dialect` (other dialects), or `closed`.
   */
  invoke(method: string, ...args: unknown[]): Promise<unknown>;
  /**
   * The RTCStatsReport of the connection to one peer (empty while there is no connection yet).
   * Rejects with `unknown-peer`, or `closed` once the client is closed.
   */
  getStats(peerId: string): Promise<RTCStatsReport>;
  /**
   * While `reconnecting`, starts the next attempt at once instead of waiting out the backoff
   * delay (a "Retry now" button; the SDK does the same when the page becomes visible again or the
   * browser goes online). While `dormant` (`signaling: 'until-connected'`), reopens the signaling
   * socket now, to meet peers who arrived meanwhile; it closes again once everything is settled.
   * Does nothing in any other state.
   */
  reconnectNow(): void;
  /** Leaves the room, closes every connection and frees the WebAssembly resources. */
  close(): Promise<void>;
}


const KNOWN_DIALECTS: readonly string[] = ['native', 'signalr', 'relay', 'dyson', 'peerjs'];
const SUPPORTED_DIALECTS: readonly string[] = ['native', 'signalr', 'relay', 'dyson'];
const SIGNALR_CONTRACTS: readonly string[] = ['room', 'signalrtc', 'ekobit', 'codelab', 'snaprtc'];
const EVENTS: readonly string[] = [
  'state',
  'peer-joined',
  'peer-left',
  'peer-state',
  'reconnecting',
  'error',
  'track',
  'data',
  'channel',
  'quality',
];
const LOG_LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];
const QUALITY_INTERVAL_MS = 2000;

/** Every error thrown or rejected by this package. `code` is a stable string (see README). */
export class RtcSignalingError extends Error {
  override readonly name: 'RtcSignalingError' = 'RtcSignalingError';
  /** Stable string to switch on. */
  readonly code: ErrorCode;
  /** True when the session ended because of it. */
  readonly fatal: boolean;
  /**
   * For a rejected connect(): the last non-fatal error reported before the session ended
   * (e.g. `token-failed` behind `reconnect-exhausted`), when there was one.
   */
  declare readonly cause?: unknown;

  constructor(code: ErrorCode, message?: string, fatal = false, options?: { cause?: unknown }) {
    super(message || code, options);
    this.code = code;
    this.fatal = fatal;
  }
}

let corePromise: Promise<CoreModule> | undefined;
/**
 * Loads and instantiates the wasm module once per page/process. The import is dynamic so bundlers
 * split the core into its own chunk, fetched by preload() or the first connect(), instead of
 * growing the app's initial bundle past Angular's and Vite's default budgets.
 */
function loadCore(): Promise<CoreModule> {
  corePromise ??= import('./rtc-signaling-core.js')
    .then((module) => module.default())
    .catch((error: unknown) => {
      corePromise = undefined;
      throw error;
    });
  return corePromise;
}

/**
 * Fetches and instantiates the wasm core ahead of the first connect() (e.g. when the join screen
 * mounts), so connecting does not wait for the module. Idempotent; a failed load is retried by
 * the next call.
 */
export function preload(): Promise<void> {
  return loadCore().then(() => undefined);
}

function invalid(message: string): RtcSignalingError {
  return new RtcSignalingError('invalid-config', message, true);
}

function nonNegative(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw invalid(`${name} must be a non-negative finite number`);
  }
  return Math.floor(value);
}

/** Turns the public options into the flat config object the wasm driver reads. */
function toCoreConfig(options: ConnectOptions): CoreConfig {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  const dialect: string = options.dialect ?? 'native';
  if (!SUPPORTED_DIALECTS.includes(dialect)) {
    const known = KNOWN_DIALECTS.includes(dialect) ? ' (not available yet)' : '';
    throw new RtcSignalingError(
      'unsupported-dialect',
      `dialect '${String(dialect)}' is not supported${known}; supported: ${SUPPORTED_DIALECTS.join(', ')}`,
      true,
    );
  }
  if (options.on !== undefined) {
    if (options.on === null || typeof options.on !== 'object') throw invalid('on must be an object of listeners');
    for (const [event, listener] of Object.entries(options.on)) {
      if (!EVENTS.includes(event)) throw invalid(`on: unknown event '${event}'`);
      if (typeof listener !== 'function') throw invalid(`on.${event} must be a function`);
    }
  }
  const { room, name = '', token } = options;
  const urls: unknown[] = Array.isArray(options.url) ? options.url : [options.url];
  if (urls.length === 0 || !urls.every((u) => typeof u === 'string' && /^wss?:\/\//i.test(u))) {
    throw invalid(Array.isArray(options.url) ? 'url must list ws:// or wss:// URLs' : 'url must be a ws:// or wss:// URL');
  }
  const url = urls[0] as string;
  const fallbackUrls = urls.slice(1) as string[];
  if (typeof room !== 'string' || room.length === 0) throw invalid('room must be a non-empty string');
  if (typeof name !== 'string') throw invalid('name must be a string');
  if (token !== undefined && token !== null && typeof token !== 'string' && typeof token !== 'function') {
    throw invalid('token must be a string or a function returning one');
  }
  if (options.iceServers !== undefined && !Array.isArray(options.iceServers)) {
    throw invalid('iceServers must be an array of RTCIceServer');
  }

  const reconnect: CoreConfig['reconnect'] = { enabled: true };
  const r: unknown = options.reconnect;
  if (r === false) {
    reconnect.enabled = false;
  } else if (r !== undefined && r !== true) {
    if (r === null || typeof r !== 'object') throw invalid('reconnect must be an object or false');
    const o = r as ReconnectOptions;
    reconnect.initialDelayMs = nonNegative(o.initialDelayMs, 'reconnect.initialDelayMs');
    reconnect.maxDelayMs = nonNegative(o.maxDelayMs, 'reconnect.maxDelayMs');
    if (o.maxAttempts !== undefined && o.maxAttempts !== Infinity) {
      const attempts = nonNegative(o.maxAttempts, 'reconnect.maxAttempts');
      // The core reads 0 as "unlimited"; an explicit 0 here means "never retry".
      if (attempts === 0) reconnect.enabled = false;
      else reconnect.maxAttempts = attempts;
    }
  }

  let signalr: CoreConfig['signalr'];
  if (dialect === 'signalr') {
    const s: unknown = options.signalr ?? {};
    if (s === null || typeof s !== 'object') throw invalid('signalr must be an object');
    const o = s as { contract?: unknown; methods?: unknown; skipNegotiation?: unknown; role?: unknown };
    const contract = o.contract ?? 'room';
    if (typeof contract !== 'string' || !SIGNALR_CONTRACTS.includes(contract)) {
      throw invalid(`signalr.contract must be one of ${SIGNALR_CONTRACTS.join(', ')}`);
    }
    if (contract === 'snaprtc' ? o.role !== 'initiator' && o.role !== 'capture' : o.role !== undefined) {
      throw invalid("signalr.role must be 'initiator' or 'capture', and only with the snaprtc contract");
    }
    const methods = o.methods ?? {};
    if (methods === null || typeof methods !== 'object') throw invalid('signalr.methods must be an object');
    const renames = Object.entries(methods as Record<string, unknown>);
    for (const [key, value] of renames) {
      if (typeof value !== 'string' || value.length === 0) {
        throw invalid(`signalr.methods.${key} must be a non-empty string`);
      }
    }
    signalr = {
      contract,
      methods: renames as [string, string][],
      skipNegotiation: o.skipNegotiation === true,
      role: typeof o.role === 'string' ? o.role : '',
    };
  }

  const signaling = options.signaling ?? 'always';
  if (signaling !== 'always' && signaling !== 'until-connected') {
    throw invalid("signaling must be 'always' or 'until-connected'");
  }

  if (options.inBandSignaling !== undefined && typeof options.inBandSignaling !== 'boolean') {
    throw invalid('inBandSignaling must be a boolean');
  }

  const seed = new Uint32Array(2);
  globalThis.crypto.getRandomValues(seed);
  return {
    dialect,
    signalr,
    signaling,
    inBandSignaling: options.inBandSignaling !== false,
    url,
    fallbackUrls,
    room,
    name,
    token: typeof token === 'string' ? token : undefined,
    tokenProvider: typeof token === 'function',
    reconnect,
    pingIntervalMs: nonNegative(options.pingIntervalMs, 'pingIntervalMs'),
    serverTimeoutMs: nonNegative(options.serverTimeoutMs, 'serverTimeoutMs'),
    connectTimeoutMs: nonNegative(options.connectTimeoutMs, 'connectTimeoutMs'),
    iceGraceMs: nonNegative(options.iceGraceMs, 'iceGraceMs'),
    seedHi: seed[0]!,
    seedLo: seed[1]!,
    trace: options.logLevel === 'debug',
  };
}

/** The RTCConfiguration every connection is created with. */
function rtcConfiguration(options: ConnectOptions): RTCConfiguration {
  const configuration: RTCConfiguration = { iceServers: options.iceServers ?? [] };
  if (options.iceTransportPolicy !== undefined) {
    if (options.iceTransportPolicy !== 'all' && options.iceTransportPolicy !== 'relay') {
      throw invalid("iceTransportPolicy must be 'all' or 'relay'");
    }
    configuration.iceTransportPolicy = options.iceTransportPolicy;
  }
  return configuration;
}

type Log = (level: LogEntry['level'], message: string) => void;

/** The log function for these options; entries below the level are dropped. */
function makeLog(options: ConnectOptions): Log {
  const level = options.logLevel ?? 'silent';
  if (!LOG_LEVELS.includes(level)) throw invalid(`logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  if (options.logger !== undefined && typeof options.logger !== 'function') throw invalid('logger must be a function');
  const threshold = LOG_LEVELS.indexOf(level);
  const sink = options.logger ?? ((entry: LogEntry) => console[entry.level](`rtc-signaling: ${entry.message}`));
  return (entryLevel, message) => {
    if (LOG_LEVELS.indexOf(entryLevel) > threshold) return;
    try {
      sink({ level: entryLevel, message });
    } catch (error) {
      reportListenerError(error);
    }
  };
}

/** The log line of an event from the core, at its level; `log` events are the core's trace. */
function logEvent(log: Log, type: string, payload: CoreEvent): void {
  const p = payload as Record<string, string | number | boolean>;
  switch (type) {
    case 'log':
      return log('debug', String(p.message));
    case 'state':
      return log('info', `state ${p.state}`);
    case 'joined':
      return log('info', `joined room "${p.room}" as ${p.id}${p.resumed ? ' (resumed)' : ''}`);
    case 'reconnecting':
      return log('info', `reconnecting: attempt ${p.attempt} in ${p.delayMs} ms`);
    case 'peer-joined':
      return log('info', `peer ${p.id} joined${p.name ? ` ("${p.name}")` : ''}`);
    case 'peer-left':
      return log('info', `peer ${p.id} left (${p.reason})`);
    case 'peer-state':
      return log('info', `peer ${p.id}: ${p.state}`);
    case 'channel':
      return log('debug', `peer ${p.id}: data channel ${p.state}`);
    case 'error':
      return log(p.fatal ? 'error' : 'warn', `${p.code}: ${p.message}`);
  }
}

/** True for a page served from another machine (so its peers are likely elsewhere too). */
function remotePage(): boolean {
  const host = (globalThis as { location?: Location }).location?.hostname;
  if (host === undefined || host === '') return false;
  const loopback = host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '[::1]' || host === '::1';
  return !loopback;
}

/** A connection's quality from one stats report and the inbound counters of the previous one. */
function assess(
  report: RTCStatsReport,
  previous: { lost: number; received: number } | undefined,
): { quality: ConnectionQuality; rttMs: number | null; lossPercent: number | null; lost: number; received: number } | null {
  let rtt: number | undefined;
  let remoteRtt: number | undefined;
  let lost = 0;
  let received = 0;
  let media = false;
  report.forEach((s: Record<string, unknown>) => {
    if (s.type === 'candidate-pair' && s.state === 'succeeded' && (s.nominated || s.selected) && typeof s.currentRoundTripTime === 'number') {
      rtt = s.currentRoundTripTime * 1000;
    } else if (s.type === 'remote-inbound-rtp' && typeof s.roundTripTime === 'number') {
      remoteRtt = s.roundTripTime * 1000;
    } else if (s.type === 'inbound-rtp') {
      media = true;
      lost += Number(s.packetsLost ?? 0);
      received += Number(s.packetsReceived ?? 0);
    }
  });
  const rttMs = rtt ?? remoteRtt ?? null;
  let lossPercent: number | null = null;
  if (media && previous) {
    const dLost = Math.max(0, lost - previous.lost);
    const total = dLost + Math.max(0, received - previous.received);
    lossPercent = total > 0 ? (100 * dLost) / total : 0;
  }
  if (rttMs === null && lossPercent === null) return null;
  const r = rttMs ?? 0;
  const l = lossPercent ?? 0;
  const quality: ConnectionQuality = r >= 800 || l >= 10 ? 'bad' : r >= 300 || l >= 3 ? 'poor' : 'good';
  return { quality, rttMs: rttMs === null ? null : Math.round(rttMs), lossPercent: lossPercent === null ? null : Math.round(lossPercent * 10) / 10, lost, received };
}

/** Data-channel payloads: strings as text, everything binary as an exact ArrayBuffer. */
function toChannelData(data: ChannelData): string | ArrayBuffer {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return data;
  if (ArrayBuffer.isView(data)) {
    const { buffer, byteOffset, byteLength } = data;
    return buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer;
  }
  throw new RtcSignalingError('invalid-data', 'data must be a string, ArrayBuffer or typed array');
}

function reportListenerError(error: unknown): void {
  // A throwing listener must not break the client (nor, in Node, the process).
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else console.error('rtc-signaling: event listener threw', error);
}

type Listener = (payload: unknown) => void;

/** The Client connect() resolves to. */
class ClientImpl implements Client {
  #core: CoreModule;
  #handle: number;
  #listeners = new Map<string, Set<Listener>>();
  #freed = false;
  #lastId = '';

  constructor(core: CoreModule, handle: number) {
    this.#core = core;
    this.#handle = handle;
  }

  get id(): string {
    return this.#freed ? this.#lastId : this.#core._id(this.#handle);
  }

  get state(): SessionState {
    return this.#freed ? 'closed' : this.#core._state(this.#handle);
  }

  get peers(): PeerSummary[] {
    return this.#freed ? [] : this.#core._peers(this.#handle);
  }

  get stats(): ClientStats | null {
    return this.#freed ? null : this.#core._stats(this.#handle);
  }

  on<E extends ClientEvent>(event: E, listener: (payload: ClientEvents[E]) => void): () => void {
    if (!EVENTS.includes(event)) throw new RtcSignalingError('invalid-event', `unknown event '${event}'`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    if (event === 'quality') this.#watchQuality();
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    // Wrap so the same function may be subscribed twice and unsubscribed independently.
    const entry: Listener = (payload) => listener(payload as ClientEvents[E]);
    set.add(entry);
    const subscribed = set;
    return () => {
      subscribed.delete(entry);
    };
  }

  send(peerId: string, data: ChannelData): void {
    this.#assertUsable();
    const error = this.#core._send(this.#handle, String(peerId), toChannelData(data));
    if (error) throw new RtcSignalingError(error.code, error.message);
  }

  broadcast(data: ChannelData): number {
    this.#assertUsable();
    return this.#core._broadcast(this.#handle, toChannelData(data));
  }

  setLocalStream(stream: MediaStream | null): void {
    this.#assertUsable();
    this.#core._setLocalStream(this.#handle, stream ?? null);
  }

  #invocations = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  #nextInvocation = 1;

  invoke(method: string, ...args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#assertUsable();
      if (typeof method !== 'string' || method.length === 0) {
        throw new RtcSignalingError('invalid-data', 'the hub method name must be a non-empty string');
      }
      let json: string | undefined;
      try {
        json = JSON.stringify(args);
      } catch (error) {
        throw new RtcSignalingError('invalid-data', `arguments are not JSON: ${String(error)}`);
      }
      const id = this.#nextInvocation++;
      this.#invocations.set(id, { resolve, reject });
      this.#core._invoke(this.#handle, id, method, json ?? '[]');
    });
  }

  #settleInvocation(payload: CoreEvent): void {
    const { id, code, message, result } = payload as { id: number; code: string; message: string; result: string };
    const pending = this.#invocations.get(id);
    if (!pending) return;
    this.#invocations.delete(id);
    if (code) pending.reject(new RtcSignalingError(code, message));
    else pending.resolve(JSON.parse(result) as unknown);
  }

  restartIce(peerId: string): void {
    this.#assertUsable();
    const error = this.#core._restartIce(this.#handle, String(peerId));
    if (error) throw new RtcSignalingError(error.code, error.message);
  }

  async getStats(peerId: string): Promise<RTCStatsReport> {
    this.#assertUsable();
    const id = String(peerId);
    if (!this.peers.some((p) => p.id === id)) {
      throw new RtcSignalingError('unknown-peer', `no peer '${id}' in the room`);
    }
    const report = this.#core._peerStats(this.#handle, id);
    return report ?? (new Map() as unknown as RTCStatsReport);
  }

  // ---- quality: polled while anyone listens

  #quality = new Map<string, { quality?: ConnectionQuality; lost: number; received: number }>();
  #qualityTimer: ReturnType<typeof setInterval> | undefined;

  #watchQuality(): void {
    if (this.#qualityTimer || this.#freed) return;
    this.#qualityTimer = setInterval(() => void this.#checkQuality(), QUALITY_INTERVAL_MS);
    (this.#qualityTimer as { unref?: () => void }).unref?.();
  }

  async #checkQuality(): Promise<void> {
    if (this.#freed) return;
    const connected = this.peers.filter((p) => p.state === 'connected').map((p) => p.id);
    for (const id of [...this.#quality.keys()]) if (!connected.includes(id)) this.#quality.delete(id);
    for (const id of connected) {
      let report: RTCStatsReport;
      try {
        report = await this.getStats(id);
      } catch {
        continue; // closed, or the peer left meanwhile
      }
      const before = this.#quality.get(id);
      const now = assess(report, before);
      if (!now || this.#freed) continue;
      this.#quality.set(id, { quality: now.quality, lost: now.lost, received: now.received });
      if (before?.quality !== now.quality) {
        this.deliver('quality', { id, quality: now.quality, rttMs: now.rttMs, lossPercent: now.lossPercent });
      }
    }
  }

  reconnectNow(): void {
    if (this.#freed) return;
    const state = this.#core._state(this.#handle);
    if (state === 'reconnecting') {
      // The same transition as the browser's `online` event: skip the delay, attempt now.
      this.#core._networkEvent(this.#handle, true, undefined);
    } else if (state === 'dormant') {
      // until-connected: reopen now, to meet whoever arrived meanwhile; it parks again once settled.
      this.#core._start(this.#handle);
    }
  }

  close(): Promise<void> {
    // Synchronous underneath, so a caller that does not await still releases everything.
    this.free();
    return Promise.resolve();
  }

  // ---- internal (used by connect())

  deliver(type: string, payload: CoreEvent): void {
    if (type === 'hub-result') {
      this.#settleInvocation(payload);
      return;
    }
    if (type === 'joined') this.#lastId = (payload as { id: string }).id;
    // A session that ended by itself (fatal error) still holds a driver: free it once the
    // current event has been delivered.
    if (type === 'state' && (payload as { state: string }).state === 'closed') {
      queueMicrotask(() => this.free());
    }
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  free(): void {
    if (this.#freed) return;
    this.#stopWatchingVisibility();
    clearInterval(this.#qualityTimer);
    this.#lastId = this.id;
    this.#core._close(this.#handle);
    this.#freed = true;
    for (const pending of this.#invocations.values()) {
      pending.reject(new RtcSignalingError('closed', 'the client closed before the hub answered'));
    }
    this.#invocations.clear();
  }

  provideToken(token: string | null, error: string): void {
    if (!this.#freed) this.#core._provideToken(this.#handle, token, error);
  }

  #assertUsable(): void {
    if (this.#freed) throw new RtcSignalingError('closed', 'the client is closed');
  }

  #stopWatchingVisibility: () => void = () => {};

  /** A tab coming back to the foreground retries at once: its timers were throttled meanwhile. */
  watchVisibility(): void {
    const doc = (globalThis as { document?: Document }).document;
    if (!doc?.addEventListener) return;
    const onVisible = (): void => {
      // Only a pending reconnect: a dormant session stays dormant.
      if (doc.visibilityState === 'visible' && this.state === 'reconnecting') this.reconnectNow();
    };
    doc.addEventListener('visibilitychange', onVisible);
    this.#stopWatchingVisibility = () => doc.removeEventListener('visibilitychange', onVisible);
  }
}

/**
 * Connects and joins `options.room`. Resolves once joined; rejects with an `RtcSignalingError`
 * whose `code` says why the session ended first (`unauthorized`, `forbidden`, `room-full`,
 * `timeout`, `reconnect-exhausted`, `unsupported-dialect`, `invalid-config`, ...).
 */
export async function connect(options: ConnectOptions): Promise<Client> {
  const config = toCoreConfig(options);
  const configuration = rtcConfiguration(options);
  const log = makeLog(options);
  const core = await loadCore();

  let client: ClientImpl | undefined;
  let settled = false;
  let resolveJoin!: (client: Client) => void;
  let rejectJoin!: (error: RtcSignalingError) => void;
  const joined = new Promise<Client>((resolve, reject) => {
    resolveJoin = resolve;
    rejectJoin = reject;
  });
  let fatal: CoreError | undefined;
  // The last non-fatal error before a failed join often explains it (e.g. token-failed before
  // reconnect-exhausted); it becomes the rejection's `cause`.
  let lastProblem: CoreError | undefined;

  const emit = (type: string, payload: CoreEvent): void => {
    try {
      logEvent(log, type, payload);
      if (!client || type === 'log') return;
      if (type === 'token-request') {
        requestToken(options.token as () => string | Promise<string>, client);
        return;
      }
      if (type === 'error') {
        const error = payload as unknown as CoreError;
        if (error.fatal) fatal = error;
        else lastProblem = error;
      }
      if (!settled) {
        if (type === 'joined') {
          settled = true;
          resolveJoin(client);
        } else if (type === 'state' && (payload as { state: string }).state === 'closed') {
          settled = true;
          const cause = lastProblem
            ? { cause: new RtcSignalingError(lastProblem.code, lastProblem.message, false) }
            : undefined;
          rejectJoin(
            fatal
              ? new RtcSignalingError(fatal.code, fatal.message, true, cause)
              : new RtcSignalingError('closed', 'the session closed before joining', true, cause),
          );
        }
      }
      client.deliver(type, payload);
    } catch (error) {
      // Nothing may throw back into wasm: exceptions are disabled there.
      reportListenerError(error);
    }
  };

  if (!configuration.iceServers?.length && remotePage()) {
    log('warn', 'no iceServers configured: peers on other networks will not connect (see "Networks and TURN" in the README)');
  }
  const handle = core._create(config, configuration, emit);
  client = new ClientImpl(core, handle);
  client.watchVisibility();
  for (const [event, listener] of Object.entries(options.on ?? {})) {
    client.on(event as ClientEvent, listener as (payload: unknown) => void);
  }
  if (options.localStream) client.setLocalStream(options.localStream);
  core._start(handle);
  return joined;
}

/** @internal Number of live wasm drivers; used by the package's leak tests. */
export async function _liveDrivers(): Promise<number> {
  return (await loadCore())._liveDrivers();
}

/** @internal Live embind value handles (JS objects the wasm side holds); used by bench/memory.mjs. */
export async function _liveHandles(): Promise<number> {
  return (await loadCore()).count_emval_handles();
}

/**
 * @internal The wasm linear memory size in bytes (it grows but never shrinks, so it records the
 * largest allocation ever made); used by the package's hardening tests.
 */
export async function _wasmMemoryBytes(): Promise<number> {
  return (await loadCore()).HEAP8.buffer.byteLength;
}

function requestToken(provider: () => string | Promise<string>, client: ClientImpl): void {
  const message = (error: unknown): string =>
    String((error as { message?: unknown } | null)?.message ?? error);
  Promise.resolve()
    .then(() => provider())
    .then(
      (token) => {
        if (typeof token !== 'string') throw new TypeError('token function must return a string');
        client.provideToken(token, '');
      },
      (error: unknown) => client.provideToken(null, message(error)),
    )
    .catch((error: unknown) => client.provideToken(null, message(error)));
}
