import { ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';

// Angular 21 is zoneless by default: signals drive change detection, no zone.js.
export const appConfig: ApplicationConfig = {
  providers: [provideBrowserGlobalErrorListeners()],
};
