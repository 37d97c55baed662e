import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { CallService } from './call.service';
import { JoinForm } from './join-form';
import { CallView } from './call-view';

@Component({
  selector: 'app-root',
  imports: [JoinForm, CallView],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (rtc.inCall()) {
      <app-call-view />
    } @else {
      <app-join-form />
    }
  `,
})
export class App {
  protected readonly rtc = inject(CallService);
}
