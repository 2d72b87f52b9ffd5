import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../core/config.ts';

describe('README', () => {
  it('documents every environment variable the config schema reads', async () => {
    const readme = await readFile('README.md', 'utf8');
    const undocumented = Object.keys(configSchema.shape).filter((name) => !readme.includes(`| \`${name}\` |`));
    expect(undocumented).toEqual([]);
  });
});
