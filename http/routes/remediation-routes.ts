// The remediation control plane's HTTP surface: playbook catalog, runs, the run stream, and workspaces.
import type { AppDeps } from '../deps.ts';
import type { RouteSpec } from '../route.ts';
import { remediationPlaybookRoutes } from './remediation-playbooks.ts';
import { remediationRunRoutes } from './remediation-runs.ts';
import { remediationStreamRoutes } from './remediation-stream.ts';
import { remediationWorkspaceRoutes } from './remediation-workspaces.ts';

export function remediationRoutes(deps: AppDeps): RouteSpec[] {
  return [...remediationStreamRoutes(deps), ...remediationPlaybookRoutes(deps), ...remediationRunRoutes(deps), ...remediationWorkspaceRoutes(deps)];
}
