// The `mcpctl remediation …` commands, registered by cli/commands/index.ts in one entry.
import { RemediationPlaybooksCreateCommand } from './playbooks/create.ts';
import { RemediationPlaybooksDeleteCommand } from './playbooks/delete.ts';
import { RemediationPlaybooksGetCommand } from './playbooks/get.ts';
import { RemediationPlaybooksListCommand } from './playbooks/list.ts';
import { RemediationPlaybooksUpdateCommand } from './playbooks/update.ts';
import { RemediationRunsApproveCommand } from './runs/approve.ts';
import { RemediationRunsArtifactsCommand } from './runs/artifacts.ts';
import { RemediationRunsCancelCommand } from './runs/cancel.ts';
import { RemediationRunsEnqueueCommand } from './runs/enqueue.ts';
import { RemediationRunsGetCommand } from './runs/get.ts';
import { RemediationRunsListCommand } from './runs/list.ts';
import { RemediationWatchCommand } from './watch.ts';
import { RemediationWorkspacesAbandonCommand } from './workspaces/abandon.ts';
import { RemediationWorkspacesCreateCommand } from './workspaces/create.ts';
import { RemediationWorkspacesDiffCommand } from './workspaces/diff.ts';
import { RemediationWorkspacesGetCommand } from './workspaces/get.ts';
import { RemediationWorkspacesListCommand } from './workspaces/list.ts';
import { RemediationWorkspacesPolicyCommand } from './workspaces/policy.ts';
import { RemediationWorkspacesPromoteCommand } from './workspaces/promote.ts';
import { RemediationWorkspacesReviseCommand } from './workspaces/revise.ts';
import { RemediationWorkspacesSchemaCommand } from './workspaces/schema.ts';
import { RemediationWorkspacesSimulateCommand } from './workspaces/simulate.ts';

export const remediationCommands = [
  RemediationPlaybooksListCommand,
  RemediationPlaybooksGetCommand,
  RemediationPlaybooksCreateCommand,
  RemediationPlaybooksUpdateCommand,
  RemediationPlaybooksDeleteCommand,
  RemediationRunsListCommand,
  RemediationRunsGetCommand,
  RemediationRunsEnqueueCommand,
  RemediationRunsApproveCommand,
  RemediationRunsCancelCommand,
  RemediationRunsArtifactsCommand,
  RemediationWatchCommand,
  RemediationWorkspacesListCommand,
  RemediationWorkspacesGetCommand,
  RemediationWorkspacesCreateCommand,
  RemediationWorkspacesReviseCommand,
  RemediationWorkspacesSchemaCommand,
  RemediationWorkspacesPolicyCommand,
  RemediationWorkspacesSimulateCommand,
  RemediationWorkspacesDiffCommand,
  RemediationWorkspacesPromoteCommand,
  RemediationWorkspacesAbandonCommand,
];
