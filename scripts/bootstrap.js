#!/usr/bin/env node
// First step of `npm start`, `npm test` and `npm run bench`: install the npm packages when they
// are missing or older than package-lock.json, then compile the workspace to dist/.
// The Kafka broker's jars are resolved by the local stack itself (Maven), on first use.
const { execSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const installedMarker = join(root, 'node_modules', '.package-lock.json');
const lockFile = join(root, 'package-lock.json');

const stale = !existsSync(installedMarker) || (existsSync(lockFile) && statSync(lockFile).mtimeMs > statSync(installedMarker).mtimeMs);
if (stale) {
  console.log('bootstrap: installing npm packages (first run only)...');
  execSync(existsSync(lockFile) ? 'npm ci --no-audit --no-fund' : 'npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
require('./build.js');
