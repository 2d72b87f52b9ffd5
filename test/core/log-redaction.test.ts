import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../boot.ts';

describe('logger', () => {
  it('censors secrets wherever they appear in a log line', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ LOG_LEVEL: 'info' }, 'test', sink);
    logger.info({ password: 'hunter2', credentials: { token: 'abc123' }, req: { headers: { authorization: 'Bearer xyz' } } }, 'connecting');
    expect(lines.join('')).not.toMatch(/hunter2|abc123|Bearer xyz/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ password: '[redacted]', credentials: { token: '[redacted]' } });
  });
});
