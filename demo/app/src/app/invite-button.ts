import { ChangeDetectionStrategy, Component, input, signal } from '@angular/core';
import { Icon } from './icon';

export function inviteLink(room: string): string {
  const url = new URL(location.href);
  url.search = '';
  url.hash = '';
  url.searchParams.set('room', room);
  return url.toString();
}

/** Copies `?room=` link for the room; falls back to a prompt where the clipboard API is absent. */
@Component({
  selector: 'app-invite-button',
  imports: [Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <button type="button" class="btn btn--ghost" data-testid="copy-invite" [disabled]="!room()"
      [attr.data-link]="room() ? link() : null" (click)="copy()">
      <app-icon [name]="copied() ? 'check' : 'link'" />
      <span>{{ copied() ? 'Link copied' : 'Copy invite link' }}</span>
    </button>
  `,
})
export class InviteButton {
  readonly room = input.required<string>();
  protected readonly copied = signal(false);
  private timer: ReturnType<typeof setTimeout> | undefined;

  protected link(): string {
    return inviteLink(this.room());
  }

  protected async copy(): Promise<void> {
    const link = this.link();
    try {
      await navigator.clipboard.writeText(link);
    } catch {
      window.prompt('Copy this link and send it to the people you want to invite:', link);
      return;
    }
    this.copied.set(true);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.copied.set(false), 2000);
  }
}
