// Optimistic locking over HTTP: a resource's `version` is served as a strong ETag, and a write may name the
// version it read in If-Match instead of in its body. Both given and different is a 400; neither is a 400 too.
import type { Context } from 'koa';
import { AppError } from '../core/errors.ts';

export const etag = (version: number): string => `"${version}"`;

/** The version the client read: `bodyValue` or If-Match (`"3"`, `W/"3"` or `3`). */
export function expectedVersion(ctx: Context, bodyValue: number | undefined, field: string): number {
  const header = ctx.get('If-Match').trim();
  const fromHeader = header === '' ? undefined : /^(?:W\/)?"?(\d{1,10})"?$/.exec(header)?.[1];
  if (header !== '' && fromHeader === undefined) {
    throw new AppError('validation-failed', 'If-Match must name one version', { errors: [{ path: 'headers.if-match', code: 'invalid-if-match', message: 'expected "<version>"' }] });
  }
  const parsed = fromHeader === undefined ? undefined : Number(fromHeader);
  if (parsed !== undefined && bodyValue !== undefined && parsed !== bodyValue) {
    throw new AppError('validation-failed', `If-Match and ${field} disagree`, { errors: [{ path: `body.${field}`, code: 'version-mismatch', message: 'differs from If-Match' }] });
  }
  const version = bodyValue ?? parsed;
  if (version === undefined) {
    throw new AppError('validation-failed', `send the workspace version you read as ${field} or If-Match`, { errors: [{ path: `body.${field}`, code: 'missing-version', message: 'required (or If-Match)' }] });
  }
  return version;
}
