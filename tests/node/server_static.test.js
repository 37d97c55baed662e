import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server_harness.js';

let server;
let dir;
const BIG = 'export const table = [' + Array.from({ length: 2000 }, (_, i) => `"entry-${i % 50}"`).join(',') + '];\n';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rtc-static-'));
  await mkdir(join(dir, 'site', 'sub'), { recursive: true });
  await mkdir(join(dir, 'dist'));
  await writeFile(join(dir, 'site', 'index.html'), '<h1>home</h1>');
  await writeFile(join(dir, 'site', 'style.css'), 'body{}');
  await writeFile(join(dir, 'site', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  await writeFile(join(dir, 'site', 'sub', 'index.html'), 'sub');
  await writeFile(join(dir, 'dist', 'index.js'), 'export const x = 1;');
  await writeFile(join(dir, 'dist', 'core.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  await writeFile(join(dir, 'secret.txt'), 'do not serve');
  // Big enough to be compressed, and like the SDK's module: repetitive text.
  await writeFile(join(dir, 'dist', 'big.js'), BIG);
  await writeFile(join(dir, 'site', 'big.png'), Buffer.alloc(4096, 7));
  server = await startServer({ staticDir: join(dir, 'site'), sdkDir: join(dir, 'dist') });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A request with headers; resolves with status, headers and the raw (still encoded) body. */
function raw(path, headers = {}, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Raw request so paths like /../ reach the server unnormalised. */
function get(path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: 'GET' }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('Server_ServesStaticDirWithMimeTypes', async () => {
  const index = await get('/');
  assert.equal(index.status, 200);
  assert.equal(index.body, '<h1>home</h1>');
  assert.match(index.type, /^text\/html/);
  assert.match((await get('/style.css')).type, /^text\/css/);
  assert.equal((await get('/logo.png')).type, 'image/png');
  assert.equal((await get('/sub/')).body, 'sub');
});

test('Server_ServesBuiltSdkUnderSdkPrefix', async () => {
  const js = await get('/sdk/index.js');
  assert.equal(js.status, 200);
  assert.match(js.type, /^text\/javascript/);
  assert.equal(js.body, 'export const x = 1;');
  assert.equal((await get('/sdk/core.wasm')).type, 'application/wasm');
});

test('Server_MissingFileIs404', async () => {
  assert.equal((await get('/nope.html')).status, 404);
  assert.equal((await get('/sdk/nope.js')).status, 404);
});

test('Server_RefusesDirectoryTraversal', async () => {
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/..%2f..%2fsecret.txt', '/sdk/..%2f..%2fsecret.txt', '/%2e%2e%5csecret.txt']) {
    const res = await get(path);
    assert.notEqual(res.status, 200, path);
    assert.ok(!res.body.includes('do not serve'), path);
  }
});

test('Server_DefaultStaticDirIsTheAngularDemoBuild', async () => {
  // npm test builds demo/app before this layer; `npm run demo` relies on the same default.
  const demo = await startServer();
  try {
    const res = await fetch(`http://127.0.0.1:${demo.port}/`);
    const body = await res.text();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    assert.match(body, /<title>rtc-signaling · video call demo<\/title>/);
    assert.match(body, /<app-root>/);
  } finally {
    await demo.close();
  }
});

test('Server_CompressesTextAndWasmForClientsThatAcceptIt', async () => {
  const { brotliDecompressSync, gunzipSync } = await import('node:zlib');
  for (const [accept, encoding, decode] of [
    ['gzip, deflate, br', 'br', brotliDecompressSync],
    ['gzip', 'gzip', gunzipSync],
    ['br;q=0, gzip;q=0.5', 'gzip', gunzipSync],
  ]) {
    const res = await raw('/sdk/big.js', { 'Accept-Encoding': accept });
    assert.equal(res.status, 200, accept);
    assert.equal(res.headers['content-encoding'], encoding, accept);
    assert.equal(res.headers.vary, 'Accept-Encoding');
    assert.equal(Number(res.headers['content-length']), res.body.length);
    assert.ok(res.body.length * 4 < BIG.length, `${encoding}: ${res.body.length} of ${BIG.length} bytes`);
    assert.equal(decode(res.body).toString(), BIG, `${encoding} decodes to the file`);
    const head = await raw('/sdk/big.js', { 'Accept-Encoding': accept }, 'HEAD');
    assert.equal(head.headers['content-length'], res.headers['content-length'], 'HEAD announces the same body');
    assert.equal(head.body.length, 0);
  }
  // No Accept-Encoding, or none acceptable: the file as it is.
  for (const headers of [{}, { 'Accept-Encoding': 'identity' }, { 'Accept-Encoding': 'gzip;q=0, br;q=0' }]) {
    const res = await raw('/sdk/big.js', headers);
    assert.equal(res.headers['content-encoding'], undefined, JSON.stringify(headers));
    assert.equal(res.body.toString(), BIG);
  }
  // Images are already compressed; tiny files are not worth it.
  assert.equal((await raw('/big.png', { 'Accept-Encoding': 'gzip' })).headers['content-encoding'], undefined);
  assert.equal((await raw('/sdk/index.js', { 'Accept-Encoding': 'gzip' })).headers['content-encoding'], undefined);
});

test('Server_ServesTheRealSdkModuleCompressed', async () => {
  // What a browser downloads from `npm run demo`: the built module, brotli-compressed.
  const demo = await startServer();
  try {
    const res = await fetch(`http://127.0.0.1:${demo.port}/sdk/rtc-signaling-core.js`, { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-encoding'), 'br');
    const body = await res.text(); // fetch decodes it
    assert.ok(body.length > 100_000);
    console.log(`# /sdk/rtc-signaling-core.js: ${body.length} bytes, ${res.headers.get('content-length')} on the wire (br)`);
  } finally {
    await demo.close();
  }
});
