import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  computed,
  effect,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { Icon } from './icon';
import { watchSpeaking } from './speaking';

/** One participant: video (or initials when there is none) with name and connection state. */
@Component({
  selector: 'app-video-tile',
  imports: [Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    class: 'tile',
    '[class.tile--local]': 'local()',
    '[attr.data-state]': 'state()',
    '[attr.data-speaking]': 'speaking()',
  },
  template: `
    <video #video autoplay playsinline data-testid="video" [class.mirror]="mirrored() ?? local()"
      [class.hidden]="!showVideo()"></video>
    @if (!showVideo()) {
      <div class="tile__avatar"><span>{{ initials() }}</span></div>
    }
    @if (needsUnmute()) {
      <button class="tile__unmute" type="button" (click)="unmute()">Click to hear {{ name() }}</button>
    }
    <div class="tile__caption">
      @if (audioOff()) {
        <app-icon name="mic-off" class="tile__mic-off" data-testid="tile-mic-off" title="Microphone off" />
      }
      <span class="tile__name" data-testid="tile-name" [attr.title]="label()">{{ label() }}</span>
      @if (quality()) {
        <span class="tile__quality" data-testid="tile-quality" [attr.data-quality]="quality()"
          [attr.title]="qualityTitle()" [attr.aria-label]="qualityTitle()"><i></i><i></i><i></i></span>
      }
      @if (state(); as s) {
        <span class="badge" [attr.data-state]="s" data-testid="tile-state">{{ s }}</span>
      }
    </div>
  `,
})
export class VideoTile {
  readonly name = input.required<string>();
  readonly stream = input<MediaStream | null>(null);
  /** The media connection's state; null (your own tile) shows none: signaling is the status bar's. */
  readonly state = input<string | null>('connecting');
  readonly local = input(false);
  /** Mirror the picture (default: your own camera is mirrored; a shared screen must not be). */
  readonly mirrored = input<boolean | null>(null);
  /** null = unknown (assume on when a video track exists). */
  readonly videoOn = input<boolean | null>(null);
  readonly audioOn = input<boolean | null>(null);
  /** The connection's quality (the SDK's `quality` event); null hides the indicator. */
  readonly quality = input<'good' | 'poor' | 'bad' | null>(null);
  readonly rttMs = input<number | null>(null);

  private readonly video = viewChild.required<ElementRef<HTMLVideoElement>>('video');
  protected readonly needsUnmute = signal(false);
  /** The tile's audio is loud right now (a green ring). */
  protected readonly speaking = signal(false);

  protected readonly label = computed(() => (this.local() ? `${this.name()} (you)` : this.name()));
  protected readonly initials = computed(
    () =>
      this.name()
        .split(/\s+/)
        .filter(Boolean)
        .slice(0, 2)
        .map((w) => w[0]!.toUpperCase())
        .join('') || '?',
  );
  protected readonly showVideo = computed(
    () => (this.stream()?.getVideoTracks().length ?? 0) > 0 && this.videoOn() !== false,
  );
  protected readonly audioOff = computed(() => this.audioOn() === false);
  protected readonly qualityTitle = computed(() => {
    const rtt = this.rttMs();
    return `Connection ${this.quality()}${rtt === null ? '' : ` (${rtt} ms round trip)`}`;
  });

  constructor() {
    effect((onCleanup) => {
      const track = this.stream()?.getAudioTracks()[0];
      if (!track || this.audioOn() === false) return this.speaking.set(false);
      onCleanup(watchSpeaking(track, (on) => this.speaking.set(on)));
    });
    effect(() => {
      const el = this.video().nativeElement;
      const stream = this.stream();
      // Own audio must never play back; set before srcObject so autoplay sees a muted element.
      el.muted = this.local();
      if (el.srcObject !== stream) el.srcObject = stream;
      if (stream) this.play(el);
    });
  }

  protected unmute(): void {
    const el = this.video().nativeElement;
    el.muted = false;
    void el.play().then(() => this.needsUnmute.set(false));
  }

  private play(el: HTMLVideoElement): void {
    el.play().catch((err: DOMException) => {
      // Autoplay with sound can be refused without a user gesture: play muted, offer a button.
      if (err.name !== 'NotAllowedError' || el.muted) return;
      el.muted = true;
      this.needsUnmute.set(true);
      void el.play().catch(() => {});
    });
  }
}
