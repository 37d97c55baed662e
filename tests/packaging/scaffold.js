// Generates and builds both apps without the browser part, for working on the scaffolding:
//   node tests/packaging/scaffold.js [DIR]   (default: a fresh directory under the OS temp dir)
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  buildApp,
  configUnchanged,
  createAngularApp,
  createReactApp,
  packTarball,
} from './apps.js';

const dir = process.argv[2] ?? (await mkdtemp(path.join(os.tmpdir(), 'rtc-signaling-pkg-')));
const log = (line) => console.log(line);
const { tarball } = await packTarball(dir, { log });
const [angular, react] = await Promise.all([
  createAngularApp(dir, tarball, { log }),
  createReactApp(dir, tarball, { log }),
]);
for (const app of [react, angular]) {
  const { output } = await buildApp(app.appDir, { log });
  console.log(
    output
      .split('\n')
      .filter((l) => /warn|error|kB|KiB/i.test(l))
      .join('\n'),
  );
  if (!(await configUnchanged(app.config))) throw new Error(`${app.config.file} changed`);
  console.log(`built: ${app.outDir}`);
}
