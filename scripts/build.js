#!/usr/bin/env node
// Compiles apps/, libs/ and tools/ to dist/ with SWC (about a second for the whole workspace),
// rewriting the @earnings/* path aliases to relative requires so `node dist/...` runs as is.
// Type checking is separate (`npm run typecheck`), as SWC strips types without checking them.
const { transformFileSync } = require('@swc/core');
const { execFileSync } = require('node:child_process');
const { mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync, statSync, renameSync, rmSync } = require('node:fs');
const { brotliCompressSync, constants: zlibConstants, gzipSync } = require('node:zlib');
const { join, relative, dirname, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const outDir = join(root, 'dist');
// `node scripts/build.js apps/ingest libs/domain` builds only those projects (Nx's per-project build).
const sourceRoots = process.argv.length > 2 ? process.argv.slice(2) : ['apps', 'libs', 'tools'];
const assetExtensions = ['.graphql', '.json', '.sql'];

const { compilerOptions } = require(join(root, 'tsconfig.base.json'));
// The dashboard's browser code is bundled by Vite (buildDashboard below), not compiled file by file.
const browserSourceRoots = [join(root, 'apps', 'dashboard', 'src')];

function* walk(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '__tests__') continue;
    const path = join(directory, entry.name);
    if (browserSourceRoots.includes(path)) continue;
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

function compile(file) {
  const { code, map } = transformFileSync(file, {
    swcrc: false,
    sourceMaps: true,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      baseUrl: root,
      paths: compilerOptions.paths,
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  });
  const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map`);
  writeFileSync(`${target}.map`, map);
}

let compiled = 0;
for (const sourceRoot of sourceRoots) {
  const directory = join(root, sourceRoot);
  if (!statSync(directory, { throwIfNoEntry: false })) continue;
  for (const file of walk(directory)) {
    if (file.endsWith('.spec.ts') || file.endsWith('.d.ts')) continue;
    if (file.endsWith('.ts')) {
      compile(file);
      compiled += 1;
    } else if (assetExtensions.some((extension) => file.endsWith(extension)) && !file.endsWith('project.json') && !file.endsWith('tsconfig.json')) {
      const target = join(outDir, relative(root, file));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(file, target);
    }
  }
}
console.log(`build: compiled ${compiled} files to ${relative(process.cwd(), outDir) || 'dist'}/`);

// The dashboard page: a Vite bundle in dist/apps/dashboard/web, rebuilt only when its sources
// changed, and held to a JavaScript budget (gzipped) so it stays quick on a phone: over it, the build fails.
const dashboardJsBudgetBytesGzipped = 150_000;
const dashboardRoot = join(root, 'apps', 'dashboard');
const dashboardOut = join(outDir, 'apps', 'dashboard', 'web');
// Source maps of the page, kept for error tracking but outside the folder the dashboard serves.
const dashboardSourceMaps = join(outDir, 'apps', 'dashboard', 'sourcemaps');
const compressedExtensions = ['.html', '.js', '.css', '.svg', '.json'];

function newestModifiedMs(paths) {
  let newest = 0;
  for (const path of paths) {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) continue;
    if (stats.isDirectory()) newest = Math.max(newest, newestModifiedMs(readdirSync(path).map((name) => join(path, name))));
    else newest = Math.max(newest, stats.mtimeMs);
  }
  return newest;
}

function buildDashboard() {
  const inputs = [join(dashboardRoot, 'src'), join(dashboardRoot, 'index.html'), join(dashboardRoot, 'vite.config.mjs'), join(root, 'package-lock.json')];
  const builtAt = statSync(join(dashboardOut, 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (newestModifiedMs(inputs) > builtAt) {
    const started = Date.now();
    execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(dashboardRoot, 'vite.config.mjs')], { cwd: root, stdio: 'inherit' });
    moveSourceMapsOut();
    precompress(dashboardOut);
    console.log(`build: bundled the dashboard to ${relative(process.cwd(), dashboardOut)}/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const assets = join(dashboardOut, 'assets');
  const scripts = readdirSync(assets).filter((name) => name.endsWith('.js'));
  const gzippedBytes = scripts.reduce((sum, name) => sum + gzipSync(readFileSync(join(assets, name)), { level: 9 }).length, 0);
  const summary = `dashboard JavaScript: ${(gzippedBytes / 1000).toFixed(1)} kB gzipped in ${scripts.length} file(s), budget ${dashboardJsBudgetBytesGzipped / 1000} kB`;
  if (gzippedBytes > dashboardJsBudgetBytesGzipped) {
    console.error(`build: FAILED: ${summary}`);
    process.exit(1);
  }
  console.log(`build: ${summary}`);
}

function moveSourceMapsOut() {
  rmSync(dashboardSourceMaps, { recursive: true, force: true });
  mkdirSync(dashboardSourceMaps, { recursive: true });
  const assets = join(dashboardOut, 'assets');
  for (const name of readdirSync(assets).filter((file) => file.endsWith('.map'))) renameSync(join(assets, name), join(dashboardSourceMaps, name));
}

/** Brotli and gzip copies beside each text file, at the highest levels: the server sends the one a browser accepts, spending no CPU per request. */
function precompress(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) precompress(path);
    else if (compressedExtensions.some((extension) => entry.name.endsWith(extension))) {
      const content = readFileSync(path);
      writeFileSync(`${path}.br`, brotliCompressSync(content, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: zlibConstants.BROTLI_MAX_QUALITY } }));
      writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }));
    }
  }
}

if (sourceRoots.some((sourceRoot) => sourceRoot === 'apps' || sourceRoot.replace(/\/$/, '') === 'apps/dashboard')) buildDashboard();
