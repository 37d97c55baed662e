import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { CallService } from './call.service';
import { VideoTile } from './video-tile';
import { CallControls } from './call-controls';
import { ChatPanel } from './chat-panel';
import { StatusBar } from './status-bar';
import { InviteButton } from './invite-button';

@Component({
  selector: 'app-call-view',
  imports: [VideoTile, CallControls, ChatPanel, StatusBar, InviteButton],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'call' },
  template: `
    <header class="topbar">
      <div class="brand"><span class="brand__mark"></span>rtc-signaling</div>
      <div class="topbar__room">
        <span class="muted">Room</span>
        <strong data-testid="room-name">{{ rtc.self()?.room }}</strong>
      </div>
      <app-invite-button [room]="rtc.self()?.room ?? ''" />
    </header>
    <app-status-bar />
    <main class="stage">
      <section class="grid" [attr.data-count]="count()" data-testid="video-grid" aria-label="Participants">
        <app-video-tile data-testid="tile-local" [name]="rtc.self()?.name ?? ''" [stream]="rtc.localStream()"
          [local]="true" [state]="null" [videoOn]="rtc.cameraOn()" [audioOn]="rtc.micOn()"
          [mirrored]="!rtc.sharing()" />
        @for (p of rtc.peers(); track p.id) {
          <app-video-tile data-testid="tile-remote" [attr.data-peer-id]="p.id" [attr.data-peer-name]="p.name"
            [name]="p.name" [stream]="p.stream" [state]="p.state" [videoOn]="p.video" [audioOn]="p.audio"
            [quality]="p.quality" [rttMs]="p.rttMs" />
        }
      </section>
      <app-chat-panel />
    </main>
    <app-call-controls />
  `,
})
export class CallView {
  protected readonly rtc = inject(CallService);
  protected readonly count = computed(() => Math.min(this.rtc.peers().length + 1, 9));
}
