// Which failure an HTTP answer from a cloud API is: throttling and server errors are worth another attempt,
// authorisation refusals are policy, any other 4xx means the playbook asked for something wrong.
import type { FailureReason } from '../../core/failure-taxonomy.ts';

export function reasonForStatus(status: number): FailureReason | null {
  if (status >= 200 && status < 300) return null;
  if (status === 401 || status === 403) return 'policy-denied';
  if (status === 408) return 'timeout';
  if (status === 429 || status >= 500) return 'dependency-outage';
  return 'playbook-bug';
}

/** Read `a.b.c` out of a JSON document. */
export function readPath(document: unknown, dotted: string): unknown {
  let value: unknown = document;
  for (const key of dotted.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
