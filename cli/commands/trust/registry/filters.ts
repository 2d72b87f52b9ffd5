// The registry filter flags shared by `trust registry list` and `trust registry watch`, as the API's query string.
export interface RegistryFilterFlags {
  serverId?: string | undefined;
  lifecycleState?: string | undefined;
  attestationStatus?: string | undefined;
  stale?: string | undefined;
}

export function filterQuery(flags: RegistryFilterFlags, extra: Record<string, string> = {}): URLSearchParams {
  const values: Record<string, string | undefined> = {
    server_id: flags.serverId,
    lifecycle_state: flags.lifecycleState,
    attestation_status: flags.attestationStatus,
    stale: flags.stale,
    ...extra,
  };
  return new URLSearchParams(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
