// Prints raw and gzip size of the given files.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

for (const file of process.argv.slice(2)) {
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 });
  console.log(`size: ${file} raw ${(raw.length / 1024).toFixed(1)} KiB, gzip ${(gz.length / 1024).toFixed(1)} KiB`);
}
