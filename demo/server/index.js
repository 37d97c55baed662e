#!/usr/bin/env node
// CLI entry: `node demo/server [--port 8080] ...` (see options.js or --help).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, DEFAULTS } from './server.js';
import { parseOptions, USAGE } from './options.js';

let parsed;
try {
  parsed = parseOptions(process.argv.slice(2), process.env);
} catch (err) {
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}
if (parsed.help) {
  console.log(USAGE);
  process.exit(0);
}

// Handlers go in before the listening line: a supervisor may signal as soon as it sees it.
let server = null;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing`);
    await server?.close();
    process.exit(0);
  });
}

try {
  server = await createServer(parsed.options);
} catch (err) {
  if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') throw err;
  const port = parsed.options.port ?? DEFAULTS.port;
  const why = err.code === 'EADDRINUSE' ? 'is in use (another server still running?)' : 'needs privileges';
  console.error(`port ${port} ${why}; pick another: PORT=${Number(port) + 1} npm run demo, or --port ${Number(port) + 1}`);
  process.exit(1);
}
console.log(`rtc-signaling server listening on ${server.url}`);
if (existsSync(join(parsed.options.staticDir ?? DEFAULTS.staticDir, 'index.html'))) {
  console.log(`open ${server.url} in two browser tabs to call yourself`);
}
