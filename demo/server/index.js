#!/usr/bin/env node
// CLI entry: `node demo/server [--port 8080] ...` (see options.js or --help).
import { createServer } from './server.js';
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

server = await createServer(parsed.options);
console.log(`rtc-signaling server listening on ${server.url}`);
