import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  computed,
  effect,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { DatePipe } from '@angular/common';
import { CallService } from './call.service';
import { Icon } from './icon';

/** Room chat over the peers' data channels. */
@Component({
  selector: 'app-chat-panel',
  imports: [DatePipe, Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'chat panel' },
  template: `
    <header class="panel__head">
      <h2>Chat</h2>
      <span class="muted">{{ rtc.peers().length ? 'to everyone in the room' : 'nobody else here yet' }}</span>
    </header>
    <ol #list class="chat__list" data-testid="chat-list">
      @for (m of rtc.messages(); track m.id) {
        @if (m.kind !== 'text') {
          <li class="chat__notice" data-testid="chat-notice" [attr.data-kind]="m.kind">
            {{ m.name || 'Someone' }} {{ m.kind === 'joined' ? 'joined' : 'left' }}
            <time [attr.datetime]="m.at | date: 'yyyy-MM-ddTHH:mm:ss'">{{ m.at | date: 'HH:mm' }}</time>
          </li>
        } @else {
        <li class="chat__msg" [class.chat__msg--own]="m.own" data-testid="chat-message" [attr.data-own]="m.own">
          <div class="chat__meta">
            <span class="chat__from" data-testid="chat-from">{{ m.own ? 'You' : m.name }}</span>
            <time [attr.datetime]="m.at | date: 'yyyy-MM-ddTHH:mm:ss'">{{ m.at | date: 'HH:mm' }}</time>
          </div>
          <p class="chat__text" data-testid="chat-text">{{ m.text }}</p>
        </li>
        }
      } @empty {
        <li class="chat__empty">Messages go straight to the other browsers over WebRTC data channels.</li>
      }
    </ol>
    <form class="chat__form" (submit)="send($event)">
      <input #input data-testid="chat-input" type="text" placeholder="Write a message…" autocomplete="off"
        maxlength="2000" aria-label="Message" [value]="draft()" (input)="draft.set(input.value)" />
      <button type="submit" class="btn btn--primary btn--icon" data-testid="chat-send"
        [disabled]="!canSend()" aria-label="Send"><app-icon name="send" /></button>
    </form>
  `,
})
export class ChatPanel {
  protected readonly rtc = inject(CallService);
  protected readonly draft = signal('');
  protected readonly canSend = computed(() => this.draft().trim().length > 0 && this.rtc.state() !== 'idle');
  private readonly list = viewChild.required<ElementRef<HTMLElement>>('list');

  constructor() {
    // On a phone the chat sits below the videos: what arrives while it is off screen is unread.
    const host = inject(ElementRef<HTMLElement>).nativeElement;
    const seen = new IntersectionObserver(([entry]) => this.rtc.setChatVisible(entry!.isIntersecting), { threshold: 0.25 });
    seen.observe(host);
    inject(DestroyRef).onDestroy(() => {
      seen.disconnect();
      this.rtc.setChatVisible(true);
    });
    effect(() => {
      this.rtc.messages();
      const el = this.list().nativeElement;
      // After the new item is rendered.
      requestAnimationFrame(() => (el.scrollTop = el.scrollHeight));
    });
  }

  protected send(event: Event): void {
    event.preventDefault();
    if (!this.canSend()) return;
    this.rtc.sendChat(this.draft());
    this.draft.set('');
  }
}
