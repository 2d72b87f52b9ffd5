// Filtered, owner-scoped listing of the trust registry (the REST list; the stream applies the same filter in memory).
import type { RegistryFilter } from '../core/schemas/trust.ts';
import type { Queryable } from './db.ts';
import type { TrustRegistryRow } from './trust-registry.ts';

export async function listTrustRegistry(
  sql: Queryable,
  ownerId: string,
  filter: RegistryFilter,
  page: { limit: number; after?: number },
): Promise<TrustRegistryRow[]> {
  const stale =
    filter.stale === undefined
      ? sql``
      : filter.stale
        ? sql`AND freshness_deadline < now()`
        : sql`AND (freshness_deadline IS NULL OR freshness_deadline >= now())`;
  return sql<TrustRegistryRow[]>`
    SELECT *, coalesce(freshness_deadline < now(), false) AS stale FROM runtime_vm_trust_registry
    WHERE owner_id = ${ownerId}
      ${filter.server_id === undefined ? sql`` : sql`AND server_id = ${filter.server_id}`}
      ${filter.lifecycle_state === undefined ? sql`` : sql`AND lifecycle_state = ${filter.lifecycle_state}`}
      ${filter.attestation_status === undefined ? sql`` : sql`AND attestation_status = ${filter.attestation_status}`}
      ${stale}
      ${page.after === undefined ? sql`` : sql`AND vm_instance_id > ${page.after}`}
    ORDER BY vm_instance_id
    LIMIT ${page.limit + 1}`;
}
