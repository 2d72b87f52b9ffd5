import { describe, expect, it } from 'vitest';
import { createLineSplitter, CUT_MARK } from '../../executors/remediation/output-lines.ts';

const split = (chunks: (string | Buffer)[], max = 8 + CUT_MARK.length) => {
  const lines: [string, boolean][] = [];
  const splitter = createLineSplitter((line, cut) => lines.push([line, cut]), max);
  for (const chunk of chunks) splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  splitter.end();
  return lines;
};

describe('line splitter', () => {
  it('joins lines across chunks, drops CR before LF and flushes an unterminated last line', () => {
    expect(split(['ab', 'c\r\nde', 'f\n\ng'])).toEqual([['abc', false], ['def', false], ['', false], ['g', false]]);
  });

  it('cuts a long line at the limit, marks it, and skips the rest of it', () => {
    expect(split(['0123456789abc', 'def\nnext\n'])).toEqual([[`01234567${CUT_MARK}`, true], ['next', false]]);
  });

  it('never cuts inside a UTF-8 character', () => {
    expect(split(['abcdefg\u00e9\u00e9\n'])).toEqual([[`abcdefg${CUT_MARK}`, true]]);
  });
});
