import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

describe('worker process', () => {
  it('refuses an unknown queue name and lists the known ones', async () => {
    const result = await execa(process.execPath, ['--import', 'tsx', 'workers/main.ts', '--queues', 'sse-fanout,nope'], { reject: false });
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain('unknown queue(s) nope; known queues: attestation-ingest,');
  });
});
