import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { EXIT_CRASH } from '../../process-guards.ts';

// A composition root's guard, in a real child process: the failure is logged and the exit code tells the supervisor.
const crashWith = (statement: string) =>
  execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
    import pino from 'pino';
    import { exitOnUnhandled } from './process-guards.ts';
    exitOnUnhandled(pino({ name: 'guarded' }));
    setTimeout(() => console.log('still running'), 200);
    ${statement}`], { reject: false });

describe('exitOnUnhandled', () => {
  it.each([
    ['uncaughtException', "setImmediate(() => { throw new TypeError('boom from a callback'); });"],
    ['unhandledRejection', "Promise.reject(new Error('boom from a promise'));"],
  ])('logs an %s and exits non-zero before anything else runs', async (kind, statement) => {
    const result = await crashWith(statement);
    expect(result.exitCode).toBe(EXIT_CRASH);
    const line = JSON.parse(result.stdout.split('\n')[0]!) as { level: number; kind: string; err: { message: string } };
    expect(line).toMatchObject({ level: 60, kind, err: { message: expect.stringContaining('boom') } });
    expect(result.stdout).not.toContain('still running');
  });
});
