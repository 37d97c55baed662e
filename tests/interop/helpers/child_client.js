// One SDK client in its own process, so a test can kill it without a goodbye (SIGKILL): it
// connects with the options in argv[2] (JSON), prints "id <id>" once joined, and then waits.
import { installWebRtc } from '../../node/helpers/globals.js';

await installWebRtc();
const { connect } = await import(new URL('../../../dist/index.js', import.meta.url).href);
const client = await connect(JSON.parse(process.argv[2]));
console.log(`id ${client.id}`);
setInterval(() => {}, 1 << 30);
