import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { toObservable } from '@angular/core/rxjs-interop';
import type { Client, ConnectOptions } from 'rtc-signaling';

/** Errors that explain a failed attempt; they clear when the session is open again. */
const ATTEMPT_PROBLEMS = new Set(['connect-failed', 'token-failed']);

/** Signaling state as the UI sees it: `idle` before the first join and after leaving. */
export type CallState = 'idle' | Client['state'];

/** What a video tile shows for a peer; collapses RTCPeerConnectionState to four words. */
export type PeerLinkState = 'connecting' | 'connected' | 'reconnecting' | 'failed';

export interface CallPeer {
  id: string;
  name: string;
  state: PeerLinkState;
  /** Remote audio/video as one stream; a new object whenever the track set changes. */
  stream: MediaStream | null;
  /** Whether the peer says its mic/camera are on (sent over the data channel; null = unknown). */
  audio: boolean | null;
  video: boolean | null;
  /** The SDK's `quality` event for this peer: null until the first measurement. */
  quality: 'good' | 'poor' | 'bad' | null;
  rttMs: number | null;
}

export interface ChatMessage {
  id: string;
  fromId: string;
  name: string;
  text: string;
  at: number;
  own: boolean;
  /** `text`: a chat message; `joined`/`left`: a notice that someone came or went. */
  kind: 'text' | 'joined' | 'left';
}

export interface ReconnectInfo {
  attempt: number;
  delayMs: number;
  /** Epoch ms at which the next attempt starts, for countdowns. */
  nextAttemptAt: number;
}

export interface CallError {
  code: string;
  message: string;
  fatal: boolean;
}

export interface JoinOptions {
  url: string;
  room: string;
  name: string;
  localStream?: MediaStream | null;
  /** Anything else `connect()` accepts (token, iceServers, reconnect, dialect). */
  connect?: Partial<ConnectOptions>;
}

/** JSON carried over the data channels. */
type Wire =
  | { type: 'chat'; id: string; name: string; text: string; at: number }
  | { type: 'media'; audio: boolean; video: boolean };

/**
 * The rtc-signaling client as Angular state. One call at a time; components read signals
 * (or the `$` observables) and call methods, never the client directly.
 */
@Injectable({ providedIn: 'root' })
export class CallService {
  private client: Client | null = null;
  private offs: Array<() => void> = [];
  /** Bumped by join() and leave(), so a connect() that resolves after leave() is closed, not kept. */
  private attempt = 0;

  private readonly _state = signal<CallState>('idle');
  private readonly _peers = signal<readonly CallPeer[]>([]);
  private readonly _messages = signal<readonly ChatMessage[]>([]);
  private readonly _reconnect = signal<ReconnectInfo | null>(null);
  private readonly _error = signal<CallError | null>(null);
  private readonly _localStream = signal<MediaStream | null>(null);
  private readonly _micOn = signal(true);
  private readonly _cameraOn = signal(true);
  private readonly _self = signal<{ id: string; name: string; room: string } | null>(null);

  readonly state = this._state.asReadonly();
  readonly peers = this._peers.asReadonly();
  readonly messages = this._messages.asReadonly();
  private readonly _unread = signal(0);
  private chatVisible = true;
  /** Chat messages received while the chat panel was out of view (a phone scrolled to the videos). */
  readonly unread = this._unread.asReadonly();
  readonly reconnect = this._reconnect.asReadonly();
  readonly error = this._error.asReadonly();
  readonly localStream = this._localStream.asReadonly();
  readonly micOn = this._micOn.asReadonly();
  readonly cameraOn = this._cameraOn.asReadonly();
  readonly self = this._self.asReadonly();
  readonly inCall = computed(() => this._self() !== null);
  readonly hasAudio = computed(() => (this._localStream()?.getAudioTracks().length ?? 0) > 0);
  readonly hasVideo = computed(() => (this._localStream()?.getVideoTracks().length ?? 0) > 0);
  private readonly _sharing = signal(false);
  /** Your screen replaces your camera on every connection while true. */
  readonly sharing = this._sharing.asReadonly();
  /** The camera stream to go back to when sharing stops. */
  private cameraStream: MediaStream | null = null;

  readonly state$ = toObservable(this.state);
  readonly peers$ = toObservable(this.peers);
  readonly messages$ = toObservable(this.messages);
  readonly error$ = toObservable(this.error);

  constructor() {
    // Load the wasm core while the user fills in the join form, so join() does not wait for it.
    void import('rtc-signaling').then((sdk) => sdk.preload()).catch(() => undefined);
    // Closing the tab should remove our tile for the others now, not after the server's grace period.
    const onPageHide = () => void this.leave();
    window.addEventListener('pagehide', onPageHide);
    inject(DestroyRef).onDestroy(() => {
      window.removeEventListener('pagehide', onPageHide);
      void this.leave();
    });
  }

  /**
   * How many peers get our signals on their connection's own channel now (in-band signaling):
   * with them, turning the camera or a screen share on or off works while the server is away.
   */
  directPeers(): number {
    return this.client?.peers.filter((p) => p.signaling === 'in-band').length ?? 0;
  }

  /** While reconnecting: attempt now instead of waiting out the backoff delay. */
  reconnectNow(): void {
    this.client?.reconnectNow();
  }

  /**
   * Connects and joins. Rejects with the SDK's typed error (its `code` is also put in `error`).
   * The SDK is imported lazily so its wasm does not weigh on the first paint.
   */
  async join(options: JoinOptions): Promise<void> {
    if (this.client) throw new Error('already in a call; leave first');
    const attempt = ++this.attempt;
    const localStream = options.localStream ?? null;
    this._error.set(null);
    this._reconnect.set(null);
    this._peers.set([]);
    this._messages.set([]);
    this._localStream.set(localStream);
    this._micOn.set(localStream?.getAudioTracks().some((t) => t.enabled) ?? false);
    this._cameraOn.set(localStream?.getVideoTracks().some((t) => t.enabled) ?? false);
    this._state.set('connecting');
    try {
      const { connect } = await import('rtc-signaling');
      const client = await connect({
        ...options.connect,
        url: options.url,
        room: options.room,
        name: options.name,
        ...(localStream ? { localStream } : {}),
      });
      if (attempt !== this.attempt) {
        await client.close();
        return;
      }
      this.client = client;
      this._self.set({ id: client.id, name: options.name, room: options.room });
      this.listen(client);
      this._state.set(client.state);
      for (const p of client.peers) this.upsertPeer(p.id, { name: p.name, state: linkState(p.state) });
    } catch (err) {
      stopTracks(localStream);
      if (attempt !== this.attempt) return;
      this._state.set('idle');
      this._error.set(toCallError(err));
      this._localStream.set(null);
      throw err;
    }
  }

  /**
   * Switches the camera or the microphone to another device: the new track replaces the old one
   * on every connection (the other kind's track is kept as it is).
   */
  useTrack(track: MediaStreamTrack): void {
    const old = this._localStream();
    const kept = old?.getTracks().filter((t) => t.kind !== track.kind) ?? [];
    const replaced = old?.getTracks().filter((t) => t.kind === track.kind) ?? [];
    track.enabled = track.kind === 'audio' ? this._micOn() || !this.hasAudio() : this._cameraOn() || !this.hasVideo();
    const stream = new MediaStream([...kept, track]);
    this._localStream.set(stream);
    if (track.kind === 'audio') this._micOn.set(track.enabled);
    else this._cameraOn.set(track.enabled);
    this.client?.setLocalStream(stream);
    for (const t of replaced) t.stop();
    this.announceMedia();
  }

  /** Puts a new local stream into the call (a camera allowed after all, another device). */
  useLocalStream(stream: MediaStream): void {
    if (!this.client) {
      stopTracks(stream);
      return;
    }
    if (this._sharing()) this.stopSharing();
    const old = this._localStream();
    this._localStream.set(stream);
    this._micOn.set(stream.getAudioTracks().some((t) => t.enabled));
    this._cameraOn.set(stream.getVideoTracks().some((t) => t.enabled));
    this.client.setLocalStream(stream);
    if (old && old !== stream) stopTracks(old);
    this.announceMedia();
  }

  /**
   * Shares the screen instead of the camera (the microphone stays): the SDK replaces the video
   * track on every connection, or adds one where there was none and renegotiates. Stopping, or
   * the browser's own "Stop sharing", brings the camera back. Rejects if the user cancels.
   */
  async shareScreen(): Promise<void> {
    if (!this.client || this._sharing()) return;
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const screen = display.getVideoTracks()[0];
    if (!screen || !this.client) {
      stopTracks(display);
      return;
    }
    this.cameraStream = this._localStream();
    const stream = new MediaStream([...(this.cameraStream?.getAudioTracks() ?? []), screen]);
    screen.addEventListener('ended', () => this.stopSharing());
    this._sharing.set(true);
    this._localStream.set(stream);
    this._cameraOn.set(true);
    this.client.setLocalStream(stream);
    this.announceMedia();
  }

  stopSharing(): void {
    if (!this._sharing()) return;
    const shared = this._localStream();
    this._sharing.set(false);
    for (const t of shared?.getVideoTracks() ?? []) t.stop();
    const camera = this.cameraStream;
    this.cameraStream = null;
    this._localStream.set(camera);
    this._cameraOn.set(camera?.getVideoTracks().some((t) => t.enabled) ?? false);
    this.client?.setLocalStream(camera);
    this.announceMedia();
  }

  async leave(): Promise<void> {
    this.attempt++;
    const client = this.client;
    this.client = null;
    for (const off of this.offs.splice(0)) off();
    if (this._sharing()) stopTracks(this._localStream());
    this._sharing.set(false);
    if (this.cameraStream) this._localStream.set(this.cameraStream);
    this.cameraStream = null;
    stopTracks(this._localStream());
    this._localStream.set(null);
    this._self.set(null);
    this._peers.set([]);
    this._reconnect.set(null);
    this._state.set('idle');
    await client?.close();
  }

  /** Sends a chat line to everyone in the room and appends it locally. */
  sendChat(text: string): void {
    const self = this._self();
    const trimmed = text.trim();
    if (!this.client || !self || !trimmed) return;
    const msg: Wire = { type: 'chat', id: newId(), name: self.name, text: trimmed, at: Date.now() };
    this.client.broadcast(JSON.stringify(msg));
    this.appendMessage({ id: msg.id, fromId: self.id, name: self.name, text: trimmed, at: msg.at, own: true, kind: 'text' });
  }

  setMicEnabled(on: boolean): void {
    for (const t of this._localStream()?.getAudioTracks() ?? []) t.enabled = on;
    this._micOn.set(on && this.hasAudio());
    this.announceMedia();
  }

  /** Disabling the track keeps the connection and sends black frames; no renegotiation needed. */
  setCameraEnabled(on: boolean): void {
    for (const t of this._localStream()?.getVideoTracks() ?? []) t.enabled = on;
    this._cameraOn.set(on && this.hasVideo());
    this.announceMedia();
  }

  clearError(): void {
    this._error.set(null);
  }

  private listen(client: Client): void {
    this.offs.push(
      client.on('state', ({ state }) => {
        this._state.set(state);
        if (state !== 'reconnecting') this._reconnect.set(null);
        // Why attempts failed (connect-failed, token-failed) stops mattering once we are back.
        const e = this._error();
        if (state === 'open' && e && !e.fatal && ATTEMPT_PROBLEMS.has(e.code)) this._error.set(null);
      }),
      client.on('reconnecting', ({ attempt, delayMs }) => {
        this._state.set('reconnecting');
        this._reconnect.set({ attempt, delayMs, nextAttemptAt: Date.now() + delayMs });
      }),
      client.on('error', (e) => this._error.set({ code: e.code, message: e.message, fatal: e.fatal })),
      client.on('peer-joined', ({ id, name }) => {
        this.upsertPeer(id, { name });
        this.notice('joined', id, name);
        // A newcomer has not seen our earlier toggles.
        this.announceMedia(id);
      }),
      client.on('peer-left', ({ id }) => {
        const name = this._peers().find((p) => p.id === id)?.name;
        this._peers.update((ps) => ps.filter((p) => p.id !== id));
        if (name !== undefined) this.notice('left', id, name);
      }),
      client.on('peer-state', ({ id, state }) => this.patchPeer(id, { state: linkState(state) })),
      client.on('channel', ({ id, state }) => {
        if (state === 'open') this.announceMedia(id);
      }),
      client.on('track', ({ id, track }) => this.addTrack(id, track)),
      client.on('quality', ({ id, quality, rttMs }) => this.patchPeer(id, { quality, rttMs })),
      client.on('data', ({ id, data }) => this.onData(id, data)),
    );
  }

  private onData(fromId: string, data: string | ArrayBuffer): void {
    if (typeof data !== 'string') return;
    let msg: Partial<Wire> & Record<string, unknown>;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (msg?.type === 'chat' && typeof msg.text === 'string') {
      const peerName = this._peers().find((p) => p.id === fromId)?.name;
      this.appendMessage({
        id: typeof msg.id === 'string' ? msg.id : newId(),
        fromId,
        name: peerName ?? (typeof msg.name === 'string' ? msg.name : 'someone'),
        text: msg.text,
        at: typeof msg.at === 'number' ? msg.at : Date.now(),
        own: false,
        kind: 'text',
      });
      if (!this.chatVisible) this._unread.update((n) => n + 1);
    } else if (msg?.type === 'media') {
      this.patchPeer(fromId, { audio: msg.audio === true, video: msg.video === true });
    }
  }

  private announceMedia(to?: string): void {
    if (!this.client) return;
    const msg = JSON.stringify({ type: 'media', audio: this._micOn(), video: this._cameraOn() } satisfies Wire);
    try {
      if (to) this.client.send(to, msg);
      else this.client.broadcast(msg);
    } catch {
      // The channel may not be open yet; the 'channel' open event announces again.
    }
  }

  private addTrack(id: string, track: MediaStreamTrack): void {
    const prev = this._peers().find((p) => p.id === id)?.stream;
    const kept = prev?.getTracks().filter((t) => t.kind !== track.kind && t.readyState === 'live') ?? [];
    // A fresh MediaStream object makes <video> pick up the new track set reliably.
    this.patchPeer(id, { stream: new MediaStream([...kept, track]) });
    track.addEventListener('ended', () => {
      const cur = this._peers().find((p) => p.id === id)?.stream;
      if (!cur?.getTracks().includes(track)) return;
      const rest = cur.getTracks().filter((t) => t !== track);
      this.patchPeer(id, { stream: rest.length ? new MediaStream(rest) : null });
    });
  }

  /** Adds a peer the client knows about, or updates it. */
  private upsertPeer(id: string, patch: Partial<CallPeer>): void {
    this._peers.update((ps) => {
      const i = ps.findIndex((p) => p.id === id);
      if (i < 0) {
        const fresh: CallPeer = {
          id, name: 'guest', state: 'connecting', stream: null, audio: null, video: null, quality: null, rttMs: null,
        };
        return [...ps, { ...fresh, ...patch }];
      }
      const next = ps.slice();
      next[i] = { ...ps[i], ...patch };
      return next;
    });
  }

  /**
   * Updates a peer from a per-peer event. Events can trail `peer-left` (a closing connection
   * still reports its state), so a peer the client no longer lists is not brought back.
   */
  private patchPeer(id: string, patch: Partial<CallPeer>): void {
    if (this._peers().some((p) => p.id === id)) return this.upsertPeer(id, patch);
    const known = this.client?.peers.find((p) => p.id === id);
    if (known) this.upsertPeer(id, { name: known.name, state: linkState(known.state), ...patch });
  }

  /** The chat panel reports whether it is on screen; seeing it reads everything. */
  setChatVisible(visible: boolean): void {
    this.chatVisible = visible;
    if (visible) this._unread.set(0);
  }

  private notice(kind: 'joined' | 'left', id: string, name: string): void {
    const at = Date.now();
    this.appendMessage({ id: `${kind}-${id}-${at}`, fromId: id, name, text: '', at, own: false, kind });
  }

  private appendMessage(m: ChatMessage): void {
    this._messages.update((ms) => (ms.some((x) => x.id === m.id) ? ms : [...ms, m]));
  }
}

function linkState(s: RTCPeerConnectionState): PeerLinkState {
  switch (s) {
    case 'connected':
      return 'connected';
    case 'disconnected':
      return 'reconnecting';
    case 'failed':
    case 'closed':
      return 'failed';
    default:
      return 'connecting';
  }
}

function toCallError(err: unknown): CallError {
  const e = err as { code?: unknown; message?: unknown; fatal?: unknown } | null;
  return {
    code: typeof e?.code === 'string' ? e.code : 'unknown',
    message: typeof e?.message === 'string' ? e.message : String(err),
    fatal: true,
  };
}

function stopTracks(stream: MediaStream | null | undefined): void {
  for (const t of stream?.getTracks() ?? []) t.stop();
}

function newId(): string {
  // randomUUID exists only in secure contexts; a LAN IP over http is not one.
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
