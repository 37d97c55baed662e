// Static files for the demo page (/) and the built SDK (/sdk/). Only GET/HEAD, only files inside
// the mounted directory: the resolved path must stay under the root after decoding.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/** @param mounts [{prefix: '/sdk/', dir}, {prefix: '/', dir}] — first match wins. */
export async function serveStatic(req, res, mounts) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return plain(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
  }
  const pathname = new URL(req.url, 'http://localhost').pathname;
  const mount = mounts.find((m) => pathname.startsWith(m.prefix));
  if (!mount) return plain(res, 404, 'not found');
  let relative;
  try {
    relative = decodeURIComponent(pathname.slice(mount.prefix.length));
  } catch {
    return plain(res, 400, 'bad path');
  }
  if (relative.includes('\0')) return plain(res, 400, 'bad path');
  const root = resolve(mount.dir);
  let file = resolve(root, '.' + sep + relative);
  if (file !== root && !file.startsWith(root + sep)) return plain(res, 403, 'forbidden');
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return plain(res, 404, 'not found');
  res.writeHead(200, {
    'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

export function plain(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body + '\n');
}
