import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { CallService } from './call.service';
import { LocalMediaService } from './local-media.service';
import { Icon } from './icon';

@Component({
  selector: 'app-call-controls',
  imports: [Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'controls' },
  template: `
    <button type="button" class="btn btn--round" data-testid="mic-toggle" [class.btn--off]="!rtc.micOn()"
      [disabled]="!rtc.hasAudio()" [attr.aria-pressed]="!rtc.micOn()"
      [title]="rtc.hasAudio() ? (rtc.micOn() ? 'Mute microphone' : 'Unmute microphone') : 'No microphone'"
      (click)="rtc.setMicEnabled(!rtc.micOn())">
      <app-icon [name]="rtc.micOn() ? 'mic' : 'mic-off'" />
      <span class="btn__label">{{ !rtc.hasAudio() ? 'No mic' : rtc.micOn() ? 'Mute' : 'Unmute' }}</span>
    </button>
    <button type="button" class="btn btn--round" data-testid="camera-toggle" [class.btn--off]="!rtc.cameraOn()"
      [disabled]="!rtc.hasVideo()" [attr.aria-pressed]="!rtc.cameraOn()"
      [title]="rtc.hasVideo() ? (rtc.cameraOn() ? 'Turn camera off' : 'Turn camera on') : 'No camera'"
      (click)="rtc.setCameraEnabled(!rtc.cameraOn())">
      <app-icon [name]="rtc.cameraOn() ? 'camera' : 'camera-off'" />
      <span class="btn__label">{{ !rtc.hasVideo() ? 'No camera' : rtc.cameraOn() ? 'Stop video' : 'Start video' }}</span>
    </button>
    <div class="controls__devices">
      <button type="button" class="btn btn--round" data-testid="devices-toggle" [attr.aria-expanded]="devicesOpen()"
        title="Choose camera and microphone" (click)="toggleDevices()">
        <app-icon name="settings" />
        <span class="btn__label">Devices</span>
      </button>
      @if (devicesOpen()) {
        <div class="devices card" data-testid="devices-panel">
          <label class="field">
            <span>Camera</span>
            <select #cam data-testid="call-camera" [disabled]="rtc.sharing()" (change)="switchTo('video', cam.value)">
              @for (d of media.cameras(); track d.id) {
                <option [value]="d.id" [selected]="d.id === current('video')">{{ d.label }}</option>
              } @empty {
                <option value="">No camera</option>
              }
            </select>
          </label>
          <label class="field">
            <span>Microphone</span>
            <select #mic data-testid="call-mic" (change)="switchTo('audio', mic.value)">
              @for (d of media.mics(); track d.id) {
                <option [value]="d.id" [selected]="d.id === current('audio')">{{ d.label }}</option>
              } @empty {
                <option value="">No microphone</option>
              }
            </select>
          </label>
        </div>
      }
    </div>
    <button type="button" class="btn btn--round" data-testid="share-toggle" [class.btn--on]="rtc.sharing()"
      [attr.aria-pressed]="rtc.sharing()" [title]="rtc.sharing() ? 'Stop sharing your screen' : 'Share your screen'"
      (click)="toggleShare()">
      <app-icon name="screen" />
      <span class="btn__label">{{ rtc.sharing() ? 'Stop sharing' : 'Share screen' }}</span>
    </button>
    <button type="button" class="btn btn--round controls__chat" data-testid="chat-jump" title="Go to the chat"
      (click)="showChat()">
      <app-icon name="send" />
      <span class="btn__label">Chat</span>
      @if (rtc.unread(); as n) {
        <span class="unread" data-testid="unread" [attr.aria-label]="n + ' unread'">{{ n }}</span>
      }
    </button>
    <button type="button" class="btn btn--round btn--danger" data-testid="leave" title="Leave the call"
      (click)="leave()">
      <app-icon name="leave" />
      <span class="btn__label">Leave</span>
    </button>
  `,
})
export class CallControls {
  protected readonly rtc = inject(CallService);
  protected readonly media = inject(LocalMediaService);
  protected readonly devicesOpen = signal(false);

  protected toggleDevices(): void {
    if (!this.devicesOpen()) void this.media.refreshDevices();
    this.devicesOpen.update((open) => !open);
  }

  /** The device behind the call's current track of that kind. */
  protected current(kind: 'audio' | 'video'): string {
    const track = this.rtc.localStream()?.getTracks().find((t) => t.kind === kind);
    return track?.getSettings().deviceId ?? '';
  }

  protected async switchTo(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    if (!deviceId || deviceId === this.current(kind)) return;
    const track = await this.media.track(kind, deviceId);
    if (!track) return;
    (kind === 'video' ? this.media.cameraId : this.media.micId).set(deviceId);
    this.rtc.useTrack(track);
  }

  protected toggleShare(): void {
    if (this.rtc.sharing()) this.rtc.stopSharing();
    else void this.rtc.shareScreen().catch(() => undefined); // cancelled in the browser's picker
  }

  /** On a phone the chat is below the videos. */
  protected showChat(): void {
    document.querySelector('app-chat-panel')?.scrollIntoView({ block: 'end' });
  }

  protected leave(): void {
    void this.rtc.leave();
  }
}
