// The canonical form of a plan (object keys sorted, no whitespace) and its SHA-256: what a gate binds to, so a
// promotion can tell whether the plan it is about to apply is the one the gates judged.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const planDigest = (plan: unknown): string => createHash('sha256').update(canonicalJson(plan)).digest('hex');
