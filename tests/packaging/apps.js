// Packs the package and generates fresh framework apps around the tarball, using each framework's
// own generator with its default options. Every step is a child process with a deadline.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeFiles } from './readme-snippets.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Angular CLI 22 needs Node 22. 21.2.27 rather than the newest 21.x: `ng new` writes
// `^<cli version>` for @angular/build, and @angular/build 21.2.28 was never published.
export const ANGULAR_CLI = process.env.RTC_PKG_ANGULAR_CLI || '@angular/cli@21.2.27';
// create-vite 9 scaffolds Vite 8 (engines ^20.19 || >=22.12), which runs on this Node 20.
export const CREATE_VITE = process.env.RTC_PKG_CREATE_VITE || 'create-vite@9.3.0';
// The generated apps resolve their dependencies as the registry stood on this date (npm's
// `before`), like the generators above are pinned: a registry that serves a release of one
// package before the release of another it depends on (seen with @babel/helpers 7.29.17 asking
// for an @babel/traverse 7.29.17 not yet served) must not fail a test about this package. Move
// it forward with the generator versions.
export const NPM_BEFORE = process.env.RTC_PKG_NPM_BEFORE || '2026-12-01T00:00:00Z';

/**
 * Environment for nested npm/npx: the repo's own `npm test` leaks npm_* variables (prefix,
 * workspace, package fields) that would make the generated apps resolve against this repo.
 */
function childEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !/^npm_config_(cache|registry)$/i.test(key)) continue;
    if (key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return {
    ...env,
    CI: '1', // no prompts, no spinners
    NG_CLI_ANALYTICS: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
    npm_config_before: NPM_BEFORE,
  };
}

/** Runs a command to completion within timeoutMs; rejects with its output on failure. */
export function run(command, args, { cwd, timeoutMs, log = () => {} }) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills npx's grandchildren too
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const line = `${command} ${args.join(' ')}`;
      log(
        `${line} (in ${cwd}): ${signal ? `killed by ${signal}` : `exit ${code}`} after ${seconds} s`,
      );
      if (code === 0) return resolve({ output, seconds: Number(seconds) });
      const why = signal ? `was killed after ${timeoutMs} ms` : `exited with ${code}`;
      reject(new Error(`${line} ${why}:\n${output.slice(-6000)}`));
    });
  });
}

/** `npm pack` of the repo (its current dist/) into dir; returns the tarball's path. */
export async function packTarball(dir, opts) {
  const { output } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: root,
    timeoutMs: 60_000,
    ...opts,
  });
  const [info] = JSON.parse(output.slice(output.indexOf('[')));
  return {
    tarball: path.join(dir, info.filename),
    files: info.files.map((f) => f.path).sort(),
    info,
  };
}

async function writeFiles(appDir, files) {
  for (const { path: relative, code } of files) {
    await mkdir(path.dirname(path.join(appDir, relative)), { recursive: true });
    await writeFile(path.join(appDir, relative), code);
  }
}

async function replaceIn(file, from, to) {
  const text = await readFile(file, 'utf8');
  if (!text.includes(from))
    throw new Error(`${file} no longer contains ${JSON.stringify(from)}; the generator changed`);
  await writeFile(file, text.replace(from, to));
}

/**
 * `ng new` with default options (zoneless, application builder, strict), the tarball installed,
 * the README's service and component added and rendered by the generated App. Returns the
 * directory `ng build` writes the browser bundle to.
 */
export async function createAngularApp(parent, tarball, opts) {
  const name = 'ng-app';
  const appDir = path.join(parent, name);
  // --skip-install: one `npm install <tarball>` below installs the app's dependencies and ours.
  await run('npx', ['-y', ANGULAR_CLI, 'new', name, '--defaults', '--skip-install', '--skip-git'], {
    cwd: parent,
    timeoutMs: 120_000,
    ...opts,
  });
  const config = await snapshot(appDir, 'angular.json');
  await run('npm', ['install', tarball], { cwd: appDir, timeoutMs: 240_000, ...opts });
  await writeFiles(appDir, readmeFiles(path.join(root, 'README.md'), 'Use in Angular'));
  const appTs = path.join(appDir, 'src/app/app.ts');
  await replaceIn(
    appTs,
    "import { RouterOutlet } from '@angular/router';",
    "import { RouterOutlet } from '@angular/router';\nimport { Peers } from './peers';",
  );
  await replaceIn(appTs, 'imports: [RouterOutlet]', 'imports: [RouterOutlet, Peers]');
  await writeFile(path.join(appDir, 'src/app/app.html'), '<app-peers />\n<router-outlet />\n');
  return { appDir, outDir: path.join(appDir, 'dist', name, 'browser'), config };
}

/** create-vite's `template` app in parent/`template`-app with the tarball installed; its directory. */
async function createViteApp(parent, tarball, template, opts) {
  const name = `${template}-app`;
  const appDir = path.join(parent, name);
  await run('npx', ['-y', CREATE_VITE, name, '--template', template, '--no-interactive'], {
    cwd: parent,
    timeoutMs: 60_000,
    ...opts,
  });
  await run('npm', ['install', tarball], { cwd: appDir, timeoutMs: 180_000, ...opts });
  return appDir;
}

/** Vite's React template, the tarball installed, the README's hook and component rendered by App. */
export async function createReactApp(parent, tarball, opts) {
  const appDir = await createViteApp(parent, tarball, 'react', opts);
  const config = await snapshot(appDir, 'vite.config.js');
  await writeFiles(appDir, readmeFiles(path.join(root, 'README.md'), 'Use in React'));
  await writeFile(
    path.join(appDir, 'src/App.jsx'),
    "import Peers from './Peers.jsx';\n\nexport default function App() {\n  return <Peers />;\n}\n",
  );
  return { appDir, outDir: path.join(appDir, 'dist'), config };
}

/** Vite's vanilla template, the tarball installed, the README's Quick start page in place of its page. */
export async function createVanillaApp(parent, tarball, opts) {
  const appDir = await createViteApp(parent, tarball, 'vanilla', opts);
  await writeFiles(appDir, readmeFiles(path.join(root, 'README.md'), 'Quick start'));
  return { appDir, outDir: path.join(appDir, 'dist') };
}

/**
 * `vite` (the dev server the template's `npm run dev` starts) on a free port; resolves once it
 * serves. StrictMode's double mount happens only here, never in a production build.
 */
export async function startViteDev(appDir, port, { log = () => {} } = {}) {
  const child = spawn('npx', ['vite', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: appDir,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite exited ${child.exitCode}:\n${output}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      stop();
      throw new Error(`vite dev did not serve ${url} within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  log(`vite dev serving ${url}`);
  return { url, stop, output: () => output };
}

/** The app's own build script (`ng build` / `vite build`), unchanged. */
export function buildApp(appDir, opts) {
  return run('npm', ['run', 'build'], { cwd: appDir, timeoutMs: 240_000, ...opts });
}

/** The generator's bundler configuration as written, to prove later that nobody touched it. */
async function snapshot(appDir, file) {
  return { file: path.join(appDir, file), text: await readFile(path.join(appDir, file), 'utf8') };
}

export async function configUnchanged({ file, text }) {
  return (await readFile(file, 'utf8')) === text;
}
