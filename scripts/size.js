// Prints raw and gzip size of the shipped module and fails when gzip exceeds the budget.
//   node scripts/size.js [--budget KiB] file...
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
let budget = Infinity;
if (args[0] === '--budget') {
  budget = Number(args[1]);
  args.splice(0, 2);
}
let over = false;
for (const file of args) {
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 }).length / 1024;
  const verdict = budget === Infinity ? '' : gz <= budget ? ` <= budget ${budget} KiB: ok` : ` > budget ${budget} KiB: FAIL`;
  console.log(`size: ${file} raw ${(raw.length / 1024).toFixed(1)} KiB, gzip ${gz.toFixed(1)} KiB${verdict}`);
  if (gz > budget) over = true;
}
if (over) process.exit(1);
