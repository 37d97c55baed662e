import { ChangeDetectionStrategy, Component, computed, effect, inject, signal } from '@angular/core';
import { CallService } from './call.service';
import { LocalMediaService } from './local-media.service';
import { errorDetail, plainError } from './errors';

type Tone = 'ok' | 'busy' | 'warn' | 'error' | 'idle';

/** Signaling state, the reconnect countdown and errors in plain words. */
@Component({
  selector: 'app-status-bar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'status', role: 'status', 'aria-live': 'polite' },
  template: `
    <div class="status__line" data-testid="status" [attr.data-state]="rtc.state()" [attr.data-tone]="line().tone">
      <span class="dot" [attr.data-tone]="line().tone"></span>
      <span data-testid="status-text">{{ line().text }}</span>
      @if (rtc.state() === 'reconnecting' && rtc.reconnect(); as r) {
        <span class="status__detail" data-testid="status-attempt">attempt {{ r.attempt }}</span>
      }
      @if (rtc.state() === 'reconnecting') {
        <button type="button" class="link" data-testid="retry-now" (click)="rtc.reconnectNow()">Retry now</button>
      }
    </div>
    @if (rtc.state() === 'reconnecting' && direct() > 0) {
      <div class="status__line" data-testid="status-in-band" data-tone="ok">
        <span class="dot" data-tone="ok"></span>
        <span>The call goes on: camera and screen changes still reach
          {{ direct() === 1 ? '1 person' : direct() + ' people' }} directly.</span>
      </div>
    }
    @if (rtc.error(); as e) {
      <div class="status__line" data-testid="status-error" data-tone="error" [attr.data-code]="e.code">
        <span class="dot" data-tone="error"></span>
        <span>{{ errorText(e.code, e.message) }} <code>{{ e.code }}</code>
          @if (detail(e.code, e.message); as d) {
            <span class="status__detail" data-testid="status-error-detail">{{ d }}</span>
          }
        </span>
        <button type="button" class="link" (click)="rtc.clearError()" aria-label="Dismiss">Dismiss</button>
      </div>
    }
    @if (media.notice(); as n) {
      <div class="status__line" data-testid="media-notice" data-tone="warn" [attr.data-code]="n.code">
        <span class="dot" data-tone="warn"></span>
        <span>{{ mediaText(n.got) }} {{ errorText(n.code) }}. <code>{{ n.code }}</code></span>
        @if (rtc.inCall()) {
          <button type="button" class="link" data-testid="media-retry" [disabled]="retrying()" (click)="retryMedia()">
            {{ retrying() ? 'Trying…' : 'Try the camera again' }}
          </button>
        }
      </div>
    }
  `,
})
export class StatusBar {
  protected readonly rtc = inject(CallService);
  protected readonly media = inject(LocalMediaService);
  private readonly now = signal(Date.now());
  protected readonly retrying = signal(false);

  /** After a denial (or with no device plugged in): ask again and bring what we get into the call. */
  protected async retryMedia(): Promise<void> {
    this.retrying.set(true);
    try {
      const stream = await this.media.open();
      if (stream) this.rtc.useLocalStream(stream);
    } finally {
      this.retrying.set(false);
    }
  }

  /** Peers signaled in-band, re-read on every countdown tick (the client emits no event for it). */
  protected readonly direct = computed(() => {
    this.now();
    return this.rtc.state() === 'reconnecting' ? this.rtc.directPeers() : 0;
  });

  protected readonly line = computed<{ text: string; tone: Tone }>(() => {
    const peers = this.rtc.peers().length;
    const others = peers === 1 ? '1 other person' : `${peers} other people`;
    switch (this.rtc.state()) {
      case 'idle':
        return { text: 'Not connected', tone: 'idle' };
      case 'connecting':
      case 'joining':
        return { text: 'Connecting to the signaling server…', tone: 'busy' };
      case 'open':
        return { text: `Connected · ${peers ? others + ' in the room' : 'waiting for others to join'}`, tone: 'ok' };
      case 'reconnecting': {
        const r = this.rtc.reconnect();
        if (!r) return { text: 'Reconnecting…', tone: 'warn' };
        // The attempt number is a detail beside the line: "attempt 5" a second after an outage
        // reads as alarm, the countdown as progress.
        const left = Math.ceil((r.nextAttemptAt - this.now()) / 1000);
        return { text: left > 0 ? `Reconnecting… next try in ${left} s` : 'Reconnecting… trying now', tone: 'warn' };
      }
      case 'closed':
        return { text: 'Disconnected from the signaling server', tone: 'error' };
      default:
        return { text: String(this.rtc.state()), tone: 'idle' };
    }
  });

  constructor() {
    // Tick only while a countdown is visible.
    effect((onCleanup) => {
      if (!this.rtc.reconnect()) return;
      this.now.set(Date.now());
      const timer = setInterval(() => this.now.set(Date.now()), 250);
      onCleanup(() => clearInterval(timer));
    });
  }

  protected errorText(code: string, message?: string): string {
    return plainError(code, message);
  }

  protected detail(code: string, message?: string): string {
    return errorDetail(code, message);
  }

  protected mediaText(got: 'none' | 'audio' | 'video'): string {
    if (got === 'audio') return 'Joined with microphone only:';
    if (got === 'video') return 'Joined with camera only:';
    return 'Joined with chat only (no camera or microphone):';
  }
}
