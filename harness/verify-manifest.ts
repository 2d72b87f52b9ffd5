// `tsx harness/verify-manifest.ts <manifest.json>`: re-hashes every file a harness manifest names; exit 0 when all
// match, 1 naming each one that does not.
import { verifyManifest } from './manifest.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: tsx harness/verify-manifest.ts <manifest.json>\n');
  process.exit(2);
}
const problems = await verifyManifest(file);
for (const problem of problems) process.stderr.write(`${problem}\n`);
process.stdout.write(problems.length === 0 ? `${file}: every hash verifies\n` : `${file}: ${problems.length} file(s) differ\n`);
process.exit(problems.length === 0 ? 0 : 1);
