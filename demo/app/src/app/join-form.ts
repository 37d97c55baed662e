import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { CallService } from './call.service';
import { LocalMediaService } from './local-media.service';
import { InviteButton } from './invite-button';
import { errorDetail, plainError } from './errors';

const NAME_KEY = 'rtc-signaling-demo:name';
/** Characters; the SDK sends at most 64 UTF-8 bytes of it. */
const MAX_NAME = 40;

@Component({
  selector: 'app-join-form',
  imports: [InviteButton],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'join' },
  template: `
    <form class="card join__card" (submit)="submit($event)" data-testid="join-form">
      <div class="brand"><span class="brand__mark"></span>rtc-signaling</div>
      <h1>Join a video call</h1>
      <p class="muted">Share the room link with others. Camera and microphone are optional.</p>

      <label class="field">
        <span>Your name</span>
        <input #nameInput data-testid="join-name" type="text" autocomplete="nickname" [attr.maxlength]="maxName" required
          placeholder="e.g. Ada" [value]="name()" (input)="name.set(nameInput.value)" />
        @if (nameHint(); as hint) {
          <small class="field__hint" data-testid="join-name-hint">{{ hint }}</small>
        }
      </label>
      <label class="field">
        <span>Room</span>
        <input #roomInput data-testid="join-room" type="text" maxlength="64" required spellcheck="false"
          [value]="room()" (input)="room.set(roomInput.value)" />
      </label>

      @if (media.cameras().length > 1 || media.mics().length > 1) {
        <div class="join__devices">
          <label class="field">
            <span>Camera</span>
            <select #cam data-testid="join-camera" (change)="media.cameraId.set(cam.value)">
              <option value="">Default camera</option>
              @for (d of media.cameras(); track d.id) {
                <option [value]="d.id" [selected]="d.id === media.cameraId()">{{ d.label }}</option>
              }
            </select>
          </label>
          <label class="field">
            <span>Microphone</span>
            <select #mic data-testid="join-mic" (change)="media.micId.set(mic.value)">
              <option value="">Default microphone</option>
              @for (d of media.mics(); track d.id) {
                <option [value]="d.id" [selected]="d.id === media.micId()">{{ d.label }}</option>
              }
            </select>
          </label>
        </div>
      }

      @if (rtc.error(); as e) {
        <p class="alert" data-testid="join-error" [attr.data-code]="e.code">
          {{ errorText(e.code, e.message) }} <code>{{ e.code }}</code>
          @if (detail(e.code, e.message); as d) {
            <span class="alert__detail" data-testid="join-error-detail">{{ d }}</span>
          }
        </p>
      }

      <div class="join__actions">
        <button type="submit" class="btn btn--primary" data-testid="join-submit" [disabled]="!canJoin()">
          {{ busy() ? 'Joining…' : 'Join' }}
        </button>
        <app-invite-button [room]="room().trim()" />
      </div>
    </form>
  `,
})
export class JoinForm {
  protected readonly rtc = inject(CallService);
  protected readonly media = inject(LocalMediaService);

  protected readonly name = signal(localStorage.getItem(NAME_KEY) ?? '');
  protected readonly room = signal(
    new URLSearchParams(location.search).get('room')?.trim() || randomRoom(),
  );
  protected readonly busy = signal(false);
  protected readonly maxName = MAX_NAME;
  /** Why Join is disabled, or how close the name is to its limit (the field stops there). */
  protected readonly nameHint = computed(() => {
    const length = this.name().trim().length;
    if (length === 0) return 'Enter your name to join: the others see it on your tile.';
    if (length >= MAX_NAME - 8) return `${length}/${MAX_NAME} characters`;
    return null;
  });
  protected readonly canJoin = computed(
    () => !this.busy() && this.name().trim().length > 0 && this.room().trim().length > 0,
  );

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.canJoin()) return;
    const name = this.name().trim();
    const room = this.room().trim();
    localStorage.setItem(NAME_KEY, name);
    // The room goes into the address bar so a reload or a copied URL lands in the same room.
    const here = new URL(location.href);
    here.searchParams.set('room', room);
    history.replaceState(null, '', here);
    this.busy.set(true);
    try {
      const localStream = await this.media.open();
      await this.rtc.join({ url: signalingUrl(), room, name, localStream });
    } catch {
      // rtc.error() carries the code; the form shows it.
    } finally {
      this.busy.set(false);
    }
  }

  protected errorText(code: string, message: string): string {
    return plainError(code, message);
  }

  protected detail(code: string, message: string): string {
    return errorDetail(code, message);
  }
}

/** The reference server serves this app and `/signal` on the same origin; `?signal=` overrides. */
function signalingUrl(): string {
  const override = new URLSearchParams(location.search).get('signal');
  if (override) return override;
  const url = new URL('/signal', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

function randomRoom(): string {
  const words = ['amber', 'brisk', 'cedar', 'delta', 'ember', 'fjord', 'glade', 'harbor', 'indigo', 'juniper'];
  const pick = () => words[Math.floor(Math.random() * words.length)];
  return `${pick()}-${pick()}-${Math.floor(100 + Math.random() * 900)}`;
}
