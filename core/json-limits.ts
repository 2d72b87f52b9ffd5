// Limits a JSON request body must respect before any handler sees it: nesting depth (checked on the raw text, so
// hostile nesting never reaches a recursive parser or validator), string and array lengths, well-formed strings.
import type { FieldError } from './errors.ts';

export interface JsonLimits {
  maxDepth: number;
  maxStringLength: number;
  maxArrayLength: number;
}

/** The deepest nesting of `[`/`{` in the text, stopping early once past `limit`. Brackets inside strings don't count. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return false;
}

// A lone surrogate (from a `\ud800` escape) is not Unicode text: Postgres refuses it, so it must be a 400 here.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function stringProblem(value: string, limits: JsonLimits): string | undefined {
  if (value.length > limits.maxStringLength) return `must be at most ${limits.maxStringLength} characters`;
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode (no lone surrogates)';
  return undefined;
}

/** Every string (keys too) and array of a parsed body, walked without recursion; the first problems found. */
export function jsonLimitErrors(root: unknown, limits: JsonLimits, prefix = 'body', max = 20): FieldError[] {
  const errors: FieldError[] = [];
  const stack: { value: unknown; path: string }[] = [{ value: root, path: prefix }];
  while (stack.length > 0 && errors.length < max) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const message = stringProblem(value, limits);
      if (message) errors.push({ path, code: 'invalid-string', message });
    } else if (Array.isArray(value)) {
      if (value.length > limits.maxArrayLength) errors.push({ path, code: 'too-many-items', message: `must have at most ${limits.maxArrayLength} items` });
      else value.forEach((item, index) => stack.push({ value: item, path: `${path}.${index}` }));
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      if (entries.length > limits.maxArrayLength) {
        errors.push({ path, code: 'too-many-members', message: `must have at most ${limits.maxArrayLength} members` });
        continue;
      }
      for (const [key, item] of entries) {
        const keyProblem = stringProblem(key, limits);
        if (keyProblem) errors.push({ path: `${path}.${key.slice(0, 64)}`, code: 'invalid-key', message: `key ${keyProblem}` });
        else stack.push({ value: item, path: `${path}.${key}` });
      }
    }
  }
  return errors;
}
