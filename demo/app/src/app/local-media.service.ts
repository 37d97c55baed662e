import { Injectable, signal } from '@angular/core';

export interface DeviceChoice {
  id: string;
  label: string;
}

export interface MediaNotice {
  code: 'camera-denied' | 'no-devices' | 'media-unavailable';
  /** Which devices we ended up with, so the UI can say "audio only" etc. */
  got: 'none' | 'audio' | 'video';
}

/**
 * Opens camera and microphone, degrading instead of failing: without devices or permission the
 * call still joins with data channels only, and `notice` says why.
 */
@Injectable({ providedIn: 'root' })
export class LocalMediaService {
  private readonly _notice = signal<MediaNotice | null>(null);
  readonly notice = this._notice.asReadonly();
  private readonly _cameras = signal<DeviceChoice[]>([]);
  private readonly _mics = signal<DeviceChoice[]>([]);
  /** The devices to pick from (labels once the site has media permission). */
  readonly cameras = this._cameras.asReadonly();
  readonly mics = this._mics.asReadonly();
  /** The chosen devices; '' = the browser's default. */
  readonly cameraId = signal('');
  readonly micId = signal('');

  constructor() {
    void this.refreshDevices();
    navigator.mediaDevices?.addEventListener?.('devicechange', () => void this.refreshDevices());
  }

  async refreshDevices(): Promise<void> {
    const all = (await navigator.mediaDevices?.enumerateDevices?.().catch(() => [])) ?? [];
    const pick = (kind: MediaDeviceKind, word: string) =>
      all
        .filter((d) => d.kind === kind && d.deviceId)
        .map((d, i) => ({ id: d.deviceId, label: d.label || `${word} ${i + 1}` }));
    this._cameras.set(pick('videoinput', 'Camera'));
    this._mics.set(pick('audioinput', 'Microphone'));
  }

  /** One track of the chosen (or given) device, or null when it cannot be opened. */
  async track(kind: 'audio' | 'video', deviceId: string): Promise<MediaStreamTrack | null> {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ [kind]: this.constraints(kind, deviceId) });
      return stream.getTracks()[0] ?? null;
    } catch {
      return null;
    }
  }

  private constraints(kind: 'audio' | 'video', deviceId: string): MediaTrackConstraints | true {
    const base: MediaTrackConstraints = kind === 'video' ? { width: { ideal: 1280 }, height: { ideal: 720 } } : {};
    return deviceId ? { ...base, deviceId: { exact: deviceId } } : kind === 'video' ? base : true;
  }

  async open(): Promise<MediaStream | null> {
    // The notice stays until there is an answer, so a retry does not flicker it away.
    if (!navigator.mediaDevices?.getUserMedia) {
      this._notice.set({ code: 'media-unavailable', got: 'none' });
      return null;
    }
    const video = this.constraints('video', this.cameraId());
    const audio = this.constraints('audio', this.micId());
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio, video });
      this._notice.set(null);
      void this.refreshDevices(); // labels appear once permission is granted
      return stream;
    } catch (err) {
      const code = mediaErrorCode(err);
      // Denial covers both devices; a missing or busy device may leave the other one usable.
      if (code !== 'camera-denied') {
        for (const [kind, constraints] of [
          ['audio', { audio }],
          ['video', { video }],
        ] as const) {
          try {
            const stream = await navigator.mediaDevices.getUserMedia(constraints);
            this._notice.set({ code, got: kind });
            return stream;
          } catch {
            // try the next device kind
          }
        }
      }
      this._notice.set({ code, got: 'none' });
      return null;
    }
  }

  dismiss(): void {
    this._notice.set(null);
  }
}

function mediaErrorCode(err: unknown): MediaNotice['code'] {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'camera-denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'no-devices';
  return 'media-unavailable';
}
