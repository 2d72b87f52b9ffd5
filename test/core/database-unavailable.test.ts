// Which errors the API answers 503 dependency-unavailable: postgres.js connection failures and the server's
// refusals while it shuts down, starts up or has no connection slot left; never a query's own error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../core/database-unavailable.ts';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['CONNECTION_CLOSED', true], ['CONNECTION_ENDED', true], ['CONNECTION_DESTROYED', true], ['CONNECT_TIMEOUT', true],
    ['ECONNREFUSED', true], ['ECONNRESET', true], ['57P01', true], ['57P02', true], ['57P03', true], ['53300', true],
    ['23505', false], ['40001', false], ['42P01', false], ['UNDEFINED_VALUE', false],
  ])('%s: %s', (code, unavailable) => {
    expect(isDatabaseUnavailable(withCode(code))).toBe(unavailable);
  });

  it('takes an AggregateError of refused sockets, not one that mixes in another error', () => {
    expect(isDatabaseUnavailable(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([withCode('ECONNREFUSED'), new Error('boom')]))).toBe(false);
    expect(isDatabaseUnavailable(new AggregateError([]))).toBe(false);
  });

  it('never classifies a value without a known code', () => {
    fc.assert(fc.property(fc.anything(), (value) => {
      const code = typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;
      return !isDatabaseUnavailable(value) || typeof code === 'string';
    }));
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});
