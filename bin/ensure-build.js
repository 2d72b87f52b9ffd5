#!/usr/bin/env node
// Runs `npm run build` when dist/ is missing or older than the sources, so `npm start` (and `npm run api|worker|
// migrate`) always run a build of the code in the tree, on a fresh clone too; a current build costs one directory
// walk. Concurrent starts build once: the first takes dist.lock, the others wait for it and find the build current.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isBuildCurrent } from './build-state.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const lock = `${root}dist.lock`;
const STALE_LOCK_MS = 10 * 60_000; // a build killed half-way leaves its lock behind

function tryLock() {
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

function build() {
  process.stderr.write('mcp-runtime: building dist/ (npm run build)\n');
  try {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    process.stderr.write('mcp-runtime: the build failed (its errors are above)\n');
    process.exitCode = 1;
  }
}

while (!isBuildCurrent()) {
  if (!tryLock()) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // another process is building: wait for it
    continue;
  }
  try {
    if (!isBuildCurrent()) build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  break; // our own build is the one to run, even if a source file's clock runs ahead of the stamp
}
