// The README is the single source of the Angular service and React hook: the packaging test writes
// exactly these blocks into the generated apps, so the documented code is the tested code.
//
// Inside a `## <section>` of README.md, a block to extract is a fenced code block directly preceded
// by `<!-- file: relative/path -->` (the path inside the generated app).
import { readFileSync } from 'node:fs';

const MARKER = /<!--\s*file:\s*(\S+)\s*-->\s*\n```[^\n]*\n([\s\S]*?)\n```/g;

export function readmeSection(readme, heading) {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  if (start < 0) throw new Error(`README has no "## ${heading}" section`);
  let end = lines.findIndex((line, i) => i > start && /^## /.test(line));
  if (end < 0) end = lines.length;
  return lines.slice(start + 1, end).join('\n');
}

/** @returns {{path: string, code: string}[]} the marked blocks of that section, in order. */
export function readmeFiles(readmePath, heading) {
  const section = readmeSection(readFileSync(readmePath, 'utf8'), heading);
  const files = [...section.matchAll(MARKER)].map(([, path, code]) => ({
    path,
    code: code + '\n',
  }));
  if (files.length === 0)
    throw new Error(`README "## ${heading}" has no <!-- file: ... --> blocks`);
  return files;
}
