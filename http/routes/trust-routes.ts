// The trust fabric's route groups, mounted by http/surfaces.ts in one entry.
import type { AppDeps } from '../deps.ts';
import type { RouteSpec } from '../route.ts';
import { trustAttestationRoutes } from './trust-attestations.ts';
import { trustRegistryRoutes } from './trust-registry.ts';
import { trustServerRoutes } from './trust-servers.ts';

export function trustRoutes(deps: AppDeps): RouteSpec[] {
  return [...trustRegistryRoutes(deps), ...trustAttestationRoutes(deps), ...trustServerRoutes(deps)];
}
