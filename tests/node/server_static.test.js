import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server_harness.js';

let server;
let dir;
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
  server = await startServer({ staticDir: join(dir, 'site'), sdkDir: join(dir, 'dist') });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

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
