import { Injectable, signal } from '@angular/core';

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

  async open(): Promise<MediaStream | null> {
    // The notice stays until there is an answer, so a retry does not flicker it away.
    if (!navigator.mediaDevices?.getUserMedia) {
      this._notice.set({ code: 'media-unavailable', got: 'none' });
      return null;
    }
    const video = { width: { ideal: 1280 }, height: { ideal: 720 } };
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video });
      this._notice.set(null);
      return stream;
    } catch (err) {
      const code = mediaErrorCode(err);
      // Denial covers both devices; a missing or busy device may leave the other one usable.
      if (code !== 'camera-denied') {
        for (const [kind, constraints] of [
          ['audio', { audio: true }],
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
