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
