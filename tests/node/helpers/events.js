// Waiting on client events with a timeout: tests never sleep for a fixed time.

/**
 * Resolves with the first payload of `event` that satisfies `predicate`, or rejects after
 * timeoutMs with a message naming what was awaited.
 */
export function once(client, event, predicate = () => true, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for '${event}'`));
    }, timeoutMs);
    const off = client.on(event, (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Records every payload of the given events, in order, as {event, ...payload}. */
export function record(client, events) {
  const log = [];
  const offs = events.map((event) => client.on(event, (payload) => log.push({ event, ...payload })));
  // Non-enumerable so a log compares equal to a plain array in assertions.
  Object.defineProperty(log, 'stop', { value: () => offs.forEach((off) => off()) });
  return log;
}

/** Resolves once check() returns truthy, re-checking on every listed event; rejects on timeout. */
export function until(client, events, check, timeoutMs = 5000, what = 'condition') {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const offs = [];
    const done = (error) => {
      clearTimeout(timer);
      offs.forEach((off) => off());
      error ? reject(error) : resolve();
    };
    const timer = setTimeout(
      () => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
    for (const event of events) {
      offs.push(
        client.on(event, () => {
          if (check()) done();
        }),
      );
    }
  });
}

/** Rejects after timeoutMs unless promise settles first. */
export function withTimeout(promise, timeoutMs, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
    }),
  ]);
}

/**
 * Resolves once check() returns truthy, re-checking whenever subscribe's callback fires. Rejects
 * only when progress() has not changed for stallMs: for work whose length depends on the machine
 * (a burst paced under a server's rate limit takes longer the more candidates a host gathers) but
 * which must keep moving. subscribe(fn) registers fn and returns a function that removes it.
 */
export function untilStalled(subscribe, check, progress, stallMs, what = 'condition') {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let last = progress();
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => done(new Error(`no progress for ${stallMs} ms (stuck at ${last}) waiting for ${what}`)),
        stallMs,
      );
    };
    const done = (error) => {
      clearTimeout(timer);
      off();
      error ? reject(error) : resolve();
    };
    const off = subscribe(() => {
      if (check()) return done();
      const now = progress();
      if (now !== last) {
        last = now;
        arm();
      }
    });
    arm();
  });
}
