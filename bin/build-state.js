// Whether dist/ holds a build of the current sources: `npm run build` stamps it when it is done, the stamp dated
// when the build started, so a source or migration file changed after that (even during the build) makes it stale.
// Plain JavaScript, so it runs before anything is compiled.
import { readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const SOURCE_DIRS = ['bench', 'cli', 'core', 'executors', 'http', 'queues', 'sql', 'workers'];
// What benchmarks write: not a source.
const OUTPUT_DIRS = [new URL('bench/results/', root).pathname.replace(/\/$/, '')];

export const buildStamp = new URL('dist/build-stamp', root);

function* sourceFiles() {
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) yield new URL(entry.name, root);
  }
  for (const dir of SOURCE_DIRS) {
    for (const entry of readdirSync(new URL(`${dir}/`, root), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && !OUTPUT_DIRS.some((dir) => entry.parentPath.startsWith(dir))) yield `${entry.parentPath}/${entry.name}`;
    }
  }
}

export function isBuildCurrent() {
  let stamped;
  try {
    stamped = statSync(buildStamp).mtimeMs;
  } catch {
    return false;
  }
  for (const file of sourceFiles()) if (statSync(file).mtimeMs > stamped) return false;
  return true;
}
