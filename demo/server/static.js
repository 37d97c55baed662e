// Static files for the demo page (/) and the built SDK (/sdk/). Only GET/HEAD, and only regular
// files inside the mounted directory: the path must stay under the root after decoding, no path
// segment may start with a dot (no dotfiles: `.rtc-signaling/resume.key`, `.git`, `.env`), no
// symlink may be on the way (the real path must be the path asked for), and files on the deny
// list (the resume key) are never served even when --static points at the working directory.
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

// Text and wasm shrink several times (the Angular bundles); the SDK's core module, whose wasm is
// already deflated inside, still goes from ~146 to ~102 kB. Images are already compressed.
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.wasm', '.svg', '.txt', '.ts']);
const MIN_COMPRESS_BYTES = 1024;
const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
const ENCODERS = {
  // Quality 5: most of brotli's gain at a fraction of level 11's time (this runs on first request).
  br: (data) => brotliAsync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } }),
  gzip: (data) => gzipAsync(data, { level: 6 }),
};
// Compressed bodies, keyed by path + mtime + size + encoding, so each is compressed once.
const compressed = new Map();
const MAX_CACHED = 64;

/** The best encoding the request accepts (br, then gzip), or null. q=0 refuses one. */
export function pickEncoding(header = '') {
  const accepted = new Map();
  for (const part of String(header).split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    accepted.set(name.trim().toLowerCase(), q ? Number(q.slice(2)) : 1);
  }
  const star = accepted.get('*') ?? 0;
  for (const encoding of ['br', 'gzip']) if ((accepted.get(encoding) ?? star) > 0) return encoding;
  return null;
}

async function compressedBody(file, info, encoding) {
  const key = `${encoding}:${info.mtimeMs}:${info.size}:${file}`;
  let body = compressed.get(key);
  if (!body) {
    body = ENCODERS[encoding](await readFile(file));
    if (compressed.size >= MAX_CACHED) compressed.delete(compressed.keys().next().value);
    compressed.set(key, body);
    body.catch(() => compressed.delete(key));
  }
  return body;
}

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

/**
 * @param mounts [{prefix: '/sdk/', dir}, {prefix: '/', dir}] — first match wins.
 * @param deny absolute paths never served
 */
export async function serveStatic(req, res, mounts, { deny = [] } = {}) {
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
  if (relative.split(/[\\/]/).some((segment) => segment.startsWith('.'))) return plain(res, 404, 'not found');
  const root = await realpath(resolve(mount.dir)).catch(() => null);
  if (!root) return plain(res, 404, 'not found');
  let file = resolve(root, '.' + sep + relative);
  if (file !== root && !file.startsWith(root + sep)) return plain(res, 403, 'forbidden');
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return plain(res, 404, 'not found');
  // A symlink anywhere below the root makes the real path differ from the one asked for.
  const real = await realpath(file).catch(() => null);
  if (real !== file) return plain(res, 404, 'not found');
  const denied = await Promise.all(deny.map((path) => realpath(path).catch(() => resolve(path))));
  if (denied.includes(real)) return plain(res, 404, 'not found');
  const ext = extname(file).toLowerCase();
  const headers = {
    'Content-Type': Object.hasOwn(MIME, ext) ? MIME[ext] : 'application/octet-stream',
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  if (COMPRESSIBLE.has(ext) && info.size >= MIN_COMPRESS_BYTES) {
    headers.Vary = 'Accept-Encoding';
    const encoding = pickEncoding(req.headers['accept-encoding']);
    if (encoding) {
      const body = await compressedBody(file, info, encoding).catch(() => null);
      if (body) {
        res.writeHead(200, { ...headers, 'Content-Encoding': encoding, 'Content-Length': body.length });
        return res.end(req.method === 'HEAD' ? undefined : body);
      }
    }
  }
  res.writeHead(200, { ...headers, 'Content-Length': info.size });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

export function plain(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body + '\n');
}
