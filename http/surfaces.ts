// Every API surface, in one list: the app mounts them and /openapi.json documents them.
import type { AppDeps } from './deps.ts';
import type { RouteSpec } from './route.ts';
import { acceleratorRoutes } from './routes/accelerators.ts';
import { consoleRoutes } from './routes/console.ts';
import { evaluationRoutes } from './routes/evaluations.ts';
import { intelligenceRoutes } from './routes/intelligence.ts';
import { opsRoutes } from './routes/ops.ts';
import { placementRoutes } from './routes/placement.ts';
import { remediationRoutes } from './routes/remediation-routes.ts';
import { serverRoutes } from './routes/servers.ts';
import { trustRoutes } from './routes/trust-routes.ts';
import { vmRoutes } from './routes/vm.ts';

export function allRoutes(deps: AppDeps): RouteSpec[] {
  return [...opsRoutes(deps), ...serverRoutes(deps), ...trustRoutes(deps), ...remediationRoutes(deps), ...vmRoutes(deps), ...placementRoutes(deps), ...consoleRoutes(deps), ...acceleratorRoutes(deps), ...intelligenceRoutes(deps), ...evaluationRoutes(deps)];
}
