// Types of the wasm module dist/rtc-signaling-core.js (built from wasm/, embind surface in
// wasm/bindings.cpp). Internal: only index.ts imports it, and no published type refers to it.
import type { ClientStats, ErrorCode, PeerSummary, SessionState } from './index.js';

/** The flat config object wasm/convert.cpp reads (config_from_val). */
export interface CoreConfig {
  dialect: string;
  signalr: { contract: string; methods: [string, string][]; skipNegotiation: boolean; role: string } | undefined;
  signaling: 'always' | 'until-connected';
  inBandSignaling: boolean;
  url: string;
  fallbackUrls: string[];
  room: string;
  name: string;
  token: string | undefined;
  tokenProvider: boolean;
  reconnect: { enabled: boolean; initialDelayMs?: number; maxDelayMs?: number; maxAttempts?: number };
  pingIntervalMs: number | undefined;
  serverTimeoutMs: number | undefined;
  connectTimeoutMs: number | undefined;
  iceGraceMs: number | undefined;
  seedHi: number;
  seedLo: number;
  /** Emit a `log` event for every command the core issues. */
  trace: boolean;
}

/** {code, message} returned by the driver's app calls on failure. */
export interface CoreError {
  code: ErrorCode;
  message: string;
  fatal?: boolean;
}

/** An app event's payload as the driver emits it (see ClientEvents, plus `joined`). */
export type CoreEvent = Record<string, unknown>;

export interface CoreModule {
  _create(config: CoreConfig, configuration: RTCConfiguration, emit: (type: string, payload: CoreEvent) => void): number;
  _start(handle: number): void;
  _close(handle: number): void;
  /** The browser's online/offline events; online while reconnecting attempts at once. */
  _networkEvent(handle: number, online: boolean, event: unknown): void;
  _send(handle: number, peer: string, data: string | ArrayBuffer): CoreError | null;
  _broadcast(handle: number, data: string | ArrayBuffer): number;
  _setLocalStream(handle: number, stream: MediaStream | null): void;
  _restartIce(handle: number, peer: string): CoreError | null;
  /** Answered by a 'hub-result' event { id, code, message, result } (code '' = success). */
  _invoke(handle: number, id: number, method: string, args: string): void;
  /** pc.getStats() of the peer's connection, or null when there is none yet. */
  _peerStats(handle: number, peer: string): Promise<RTCStatsReport> | null;
  _provideToken(handle: number, token: string | null, error: string): void;
  _id(handle: number): string;
  _state(handle: number): SessionState;
  _peers(handle: number): PeerSummary[];
  _stats(handle: number): ClientStats;
  _liveDrivers(): number;
  /** Emscripten's embind: live emval handles (JS values held by the wasm side). */
  count_emval_handles(): number;
  HEAP8: Int8Array;
}

declare const createRtcSignalingCore: () => Promise<CoreModule>;
export default createRtcSignalingCore;
