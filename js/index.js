// rtc-signaling: the public JavaScript API (README.md#api).
//
// A thin, typed shell around the wasm core: it validates options, loads the module once, turns the
// driver's emit(type, payload) callback into events and a connect() promise, and frees the driver
// on close(). Protocol decisions live in the core; browser plumbing in the wasm Driver.

const KNOWN_DIALECTS = ['native', 'signalr', 'relay', 'dyson', 'peerjs'];
const SUPPORTED_DIALECTS = ['native', 'signalr'];
const SIGNALR_CONTRACTS = ['room', 'signalrtc', 'codelab'];
const EVENTS = [
  'state',
  'peer-joined',
  'peer-left',
  'peer-state',
  'reconnecting',
  'error',
  'track',
  'data',
  'channel',
];

/** Errors thrown or rejected by this package. `code` is a stable string (see README). */
export class RtcSignalingError extends Error {
  constructor(code, message, fatal = false, options = undefined) {
    super(message || code, options);
    this.name = 'RtcSignalingError';
    this.code = code;
    this.fatal = fatal;
  }
}

let corePromise;
/**
 * Loads and instantiates the wasm module once per page/process. The import is dynamic so bundlers
 * split the core into its own chunk, fetched by preload() or the first connect(), instead of
 * growing the app's initial bundle past Angular's and Vite's default budgets.
 */
function loadCore() {
  corePromise ??= import('./rtc-signaling-core.js')
    .then((module) => module.default())
    .catch((error) => {
      corePromise = undefined;
      throw error;
    });
  return corePromise;
}

/**
 * Fetches and instantiates the wasm core now, so that a later connect() does not wait for it.
 * Call it when the join screen mounts. Idempotent; a failed load is retried by the next call.
 */
export function preload() {
  return loadCore().then(() => undefined);
}

function invalid(message) {
  return new RtcSignalingError('invalid-config', message, true);
}

function nonNegative(value, name) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw invalid(`${name} must be a non-negative finite number`);
  }
  return Math.floor(value);
}

/** Turns the public options into the flat config object the wasm driver reads. */
function toCoreConfig(options) {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  const dialect = options.dialect ?? 'native';
  if (!SUPPORTED_DIALECTS.includes(dialect)) {
    const known = KNOWN_DIALECTS.includes(dialect) ? ' (not available yet)' : '';
    throw new RtcSignalingError(
      'unsupported-dialect',
      `dialect '${String(dialect)}' is not supported${known}; supported: ${SUPPORTED_DIALECTS.join(', ')}`,
      true,
    );
  }
  const { url, room, name = '', token } = options;
  if (typeof url !== 'string' || !/^wss?:\/\//i.test(url)) {
    throw invalid('url must be a ws:// or wss:// URL');
  }
  if (typeof room !== 'string' || room.length === 0) throw invalid('room must be a non-empty string');
  if (typeof name !== 'string') throw invalid('name must be a string');
  if (token !== undefined && token !== null && typeof token !== 'string' && typeof token !== 'function') {
    throw invalid('token must be a string or a function returning one');
  }
  if (options.iceServers !== undefined && !Array.isArray(options.iceServers)) {
    throw invalid('iceServers must be an array of RTCIceServer');
  }

  let reconnect = { enabled: true };
  if (options.reconnect === false) {
    reconnect = { enabled: false };
  } else if (options.reconnect !== undefined && options.reconnect !== true) {
    const r = options.reconnect;
    if (r === null || typeof r !== 'object') throw invalid('reconnect must be an object or false');
    reconnect.initialDelayMs = nonNegative(r.initialDelayMs, 'reconnect.initialDelayMs');
    reconnect.maxDelayMs = nonNegative(r.maxDelayMs, 'reconnect.maxDelayMs');
    if (r.maxAttempts !== undefined && r.maxAttempts !== Infinity) {
      const attempts = nonNegative(r.maxAttempts, 'reconnect.maxAttempts');
      // The core reads 0 as "unlimited"; an explicit 0 here means "never retry".
      if (attempts === 0) reconnect.enabled = false;
      else reconnect.maxAttempts = attempts;
    }
  }

  let signalr;
  if (dialect === 'signalr') {
    const s = options.signalr ?? {};
    if (s === null || typeof s !== 'object') throw invalid('signalr must be an object');
    const contract = s.contract ?? 'room';
    if (!SIGNALR_CONTRACTS.includes(contract)) {
      throw invalid(`signalr.contract must be one of ${SIGNALR_CONTRACTS.join(', ')}`);
    }
    const methods = s.methods ?? {};
    if (methods === null || typeof methods !== 'object') throw invalid('signalr.methods must be an object');
    for (const [key, value] of Object.entries(methods)) {
      if (typeof value !== 'string' || value.length === 0) {
        throw invalid(`signalr.methods.${key} must be a non-empty string`);
      }
    }
    signalr = { contract, methods: Object.entries(methods), skipNegotiation: s.skipNegotiation === true };
  }

  const seed = new Uint32Array(2);
  globalThis.crypto.getRandomValues(seed);
  return {
    dialect,
    signalr,
    url,
    room,
    name,
    token: typeof token === 'string' ? token : undefined,
    tokenProvider: typeof token === 'function',
    reconnect,
    pingIntervalMs: nonNegative(options.pingIntervalMs, 'pingIntervalMs'),
    serverTimeoutMs: nonNegative(options.serverTimeoutMs, 'serverTimeoutMs'),
    connectTimeoutMs: nonNegative(options.connectTimeoutMs, 'connectTimeoutMs'),
    iceGraceMs: nonNegative(options.iceGraceMs, 'iceGraceMs'),
    seedHi: seed[0],
    seedLo: seed[1],
  };
}

/** Data-channel payloads: strings as text, everything binary as an exact ArrayBuffer. */
function toChannelData(data) {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return data;
  if (ArrayBuffer.isView(data)) {
    const { buffer, byteOffset, byteLength } = data;
    return buffer.slice(byteOffset, byteOffset + byteLength);
  }
  throw new RtcSignalingError('invalid-data', 'data must be a string, ArrayBuffer or typed array');
}

function reportListenerError(error) {
  // A throwing listener must not break the client (nor, in Node, the process).
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else console.error('rtc-signaling: event listener threw', error);
}

/** A connected client. Obtain one from connect(). */
class Client {
  #core;
  #handle;
  #listeners = new Map();
  #freed = false;
  #lastId = '';

  constructor(core, handle) {
    this.#core = core;
    this.#handle = handle;
  }

  /** This client's id in the room (assigned by the server). */
  get id() {
    return this.#freed ? this.#lastId : this.#core._id(this.#handle);
  }

  /** 'idle' | 'connecting' | 'joining' | 'open' | 'reconnecting' | 'closed' */
  get state() {
    return this.#freed ? 'closed' : this.#core._state(this.#handle);
  }

  /** The other peers in the room: [{ id, name, state }]. */
  get peers() {
    return this.#freed ? [] : this.#core._peers(this.#handle);
  }

  /**
   * The core's counters: { framesReceived, framesDropped, unknownTypes, signalsReceived,
   * signalsSent, reconnects }. signalsReceived counts signals applied after seq dedupe.
   */
  get stats() {
    return this.#freed ? null : this.#core._stats(this.#handle);
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on(event, listener) {
    if (!EVENTS.includes(event)) throw new RtcSignalingError('invalid-event', `unknown event '${event}'`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    // Wrap so the same function may be subscribed twice and unsubscribed independently.
    const entry = (payload) => listener(payload);
    set.add(entry);
    return () => set.delete(entry);
  }

  /** Sends to one peer over its data channel. Throws unknown-peer or channel-closed. */
  send(peerId, data) {
    this.#assertUsable();
    const error = this.#core._send(this.#handle, String(peerId), toChannelData(data));
    if (error) throw new RtcSignalingError(error.code, error.message);
  }

  /** Sends to every peer whose data channel is open; returns how many received it. */
  broadcast(data) {
    this.#assertUsable();
    return this.#core._broadcast(this.#handle, toChannelData(data));
  }

  /** Sends this stream's tracks on every connection (null removes them). */
  setLocalStream(stream) {
    this.#assertUsable();
    this.#core._setLocalStream(this.#handle, stream ?? null);
  }

  /** Asks for an ICE restart towards one peer. Throws unknown-peer. */
  restartIce(peerId) {
    this.#assertUsable();
    const error = this.#core._restartIce(this.#handle, String(peerId));
    if (error) throw new RtcSignalingError(error.code, error.message);
  }

  /** Leaves the room, closes every connection and frees the wasm driver. */
  close() {
    // Synchronous underneath, so a caller that does not await still releases everything.
    this._free();
    return Promise.resolve();
  }

  // ---- internal (used by connect())

  _emit(type, payload) {
    if (type === 'joined') this.#lastId = payload.id;
    // A session that ended by itself (fatal error) still holds a driver: free it once the
    // current event has been delivered.
    if (type === 'state' && payload.state === 'closed') queueMicrotask(() => this._free());
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

  _free() {
    if (this.#freed) return;
    this.#lastId = this.id;
    this.#core._close(this.#handle);
    this.#freed = true;
  }

  _provideToken(token, error) {
    if (!this.#freed) this.#core._provideToken(this.#handle, token, error);
  }

  #assertUsable() {
    if (this.#freed) throw new RtcSignalingError('closed', 'the client is closed');
  }
}

/**
 * Connects to a room and resolves once joined. Rejects with an RtcSignalingError whose code is
 * the fatal reason (unauthorized, forbidden, room-full, timeout, reconnect-exhausted, ...).
 */
export async function connect(options) {
  const config = toCoreConfig(options);
  const core = await loadCore();

  let client;
  let settled = false;
  let resolveJoin;
  let rejectJoin;
  const joined = new Promise((resolve, reject) => {
    resolveJoin = resolve;
    rejectJoin = reject;
  });
  let fatal;
  // The last non-fatal error before a failed join often explains it (e.g. token-failed before
  // reconnect-exhausted); it becomes the rejection's `cause`.
  let lastProblem;

  const emit = (type, payload) => {
    try {
      if (type === 'token-request') {
        requestToken(options.token, client);
        return;
      }
      if (type === 'error') {
        if (payload.fatal) fatal = payload;
        else lastProblem = payload;
      }
      if (!settled) {
        if (type === 'joined') {
          settled = true;
          resolveJoin(client);
        } else if (type === 'state' && payload.state === 'closed') {
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
      client._emit(type, payload);
    } catch (error) {
      // Nothing may throw back into wasm: exceptions are disabled there.
      reportListenerError(error);
    }
  };

  const handle = core._create(config, options.iceServers ?? [], emit);
  client = new Client(core, handle);
  if (options.localStream) client.setLocalStream(options.localStream);
  core._start(handle);
  return joined;
}

/**
 * Internal, for the package's own leak tests: how many wasm drivers are alive (not yet freed).
 * @internal
 */
export async function _liveDrivers() {
  return (await loadCore())._liveDrivers();
}

/**
 * Internal, for the package's own hardening tests: the size of the wasm linear memory in bytes
 * (it grows but never shrinks, so it records the largest allocation ever made).
 * @internal
 */
export async function _wasmMemoryBytes() {
  return (await loadCore()).HEAP8.buffer.byteLength;
}

function requestToken(provider, client) {
  Promise.resolve()
    .then(() => provider())
    .then(
      (token) => {
        if (typeof token !== 'string') throw new TypeError('token function must return a string');
        client._provideToken(token, '');
      },
      (error) => client._provideToken(null, String(error?.message ?? error)),
    )
    .catch((error) => client._provideToken(null, String(error?.message ?? error)));
}
