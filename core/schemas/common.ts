// Schemas every surface shares: ids, cursors, pagination envelopes, problem bodies, auth roles.
import { z } from 'zod';

/**
 * Tenant roles (SPEC §6.9). `verifier` is the attestation verifier service, the only one that submits evidence;
 * `admin` is the tenant's administrator (reads, and owns the reference measurements), never a platform operator.
 */
export const roles = ['viewer', 'operator', 'approver', 'verifier', 'admin'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;

/** The claim that makes a token a platform administrator's. A tenant token never carries it. */
export const PLATFORM_CLAIM = 'platform';

/** A tenant token: it acts for one owner with some roles. */
export const authClaims = z.object({
  sub: z.string().min(1),
  owner: z.string().min(1),
  roles: z.array(role),
  email: z.email().optional(),
});
export type AuthClaims = z.infer<typeof authClaims>;

/** A platform administrator's token: no owner, no tenant roles; admitted only to platform surfaces (Bull Board). */
export const platformClaims = z.object({
  sub: z.string().min(1),
  [PLATFORM_CLAIM]: z.literal('admin'),
  email: z.email().optional(),
});
export type PlatformClaims = z.infer<typeof platformClaims>;

/** Who a verified token speaks for. */
export type Principal = { kind: 'tenant'; claims: AuthClaims } | { kind: 'platform'; claims: PlatformClaims };

export const idParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

/** Every `version` column is a Postgres integer; a larger value must be a 400, not a failed query. */
export const maxVersion = 2_147_483_647;

export const version = z.number().int().positive().max(maxVersion).meta({ description: 'Optimistic-locking token: the version you read' });

export const metadata = z.record(z.string(), z.unknown());

const cursorBody = z.object({ id: z.number().int().nonnegative() });

export function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ id })).toString('base64url');
}

/** An opaque cursor; decoding a forged one fails validation (400), never a 500. */
export const cursor = z.string().transform((raw, ctx) => {
  try {
    return cursorBody.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))).id;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a cursor this API issued' });
    return z.NEVER;
  }
});

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursor.optional(),
});

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

/** Build a page from `limit + 1` rows ordered by id. */
export function toPage<T extends { id: number }>(rows: T[], limit: number): { items: T[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem' });

export const timestamp = z.union([z.date(), z.string()]).transform((value) => new Date(value).toISOString());
