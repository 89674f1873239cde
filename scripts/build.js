#!/usr/bin/env node
// Compiles apps/, libs/ and tools/ to dist/ with SWC (about a second for the whole workspace),
// rewriting the @earnings/* path aliases to relative requires so `node dist/...` runs as is.
// Type checking is separate (`npm run typecheck`), as SWC strips types without checking them.
const { transformFileSync } = require('@swc/core');
const { mkdirSync, readdirSync, writeFileSync, copyFileSync, statSync } = require('node:fs');
const { join, relative, dirname, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const outDir = join(root, 'dist');
// `node scripts/build.js apps/ingest libs/domain` builds only those projects (Nx's per-project build).
const sourceRoots = process.argv.length > 2 ? process.argv.slice(2) : ['apps', 'libs', 'tools'];
const assetExtensions = ['.graphql', '.json', '.sql'];

const { compilerOptions } = require(join(root, 'tsconfig.base.json'));

function* walk(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '__tests__') continue;
    const path = join(directory, entry.name);
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
