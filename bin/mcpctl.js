#!/usr/bin/env node
// `mcpctl`: runs the compiled CLI from dist/ when it is a build of the current sources, else the TypeScript sources
// through tsx (a clone that was never built, or edited since: development and the tests). `--version` answers
// from package.json without loading either.
import { readFileSync } from 'node:fs';
import { isBuildCurrent } from './build-state.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
} else if (isBuildCurrent()) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
