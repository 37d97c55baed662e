import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { CallService } from './call.service';
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
