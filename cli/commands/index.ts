// Every mcpctl command class; cli/main.ts registers this list.
import { consoleCommands } from './console/index.ts';
import { evaluationCommands } from './evaluations/index.ts';
import { HealthCheckCommand } from './health/check.ts';
import { ServersCreateCommand } from './servers/create.ts';
import { ServersDeleteCommand } from './servers/delete.ts';
import { ServersGetCommand } from './servers/get.ts';
import { ServersIntelligenceCommand } from './servers/intelligence.ts';
import { ServersListCommand } from './servers/list.ts';
import { ServersUpdateCommand } from './servers/update.ts';
import { placementCommands } from './placement/index.ts';
import { remediationCommands } from './remediation/index.ts';
import { TokenMintCommand } from './token/mint.ts';
import { TokenPlatformAdminCommand } from './token/platform-admin.ts';
import { trustCommands } from './trust/index.ts';
import { vmCommands } from './vm/index.ts';

export const commands = [
  HealthCheckCommand,
  ServersListCommand,
  ServersGetCommand,
  ServersCreateCommand,
  ServersUpdateCommand,
  ServersDeleteCommand,
  ServersIntelligenceCommand,
  TokenMintCommand,
  TokenPlatformAdminCommand,
  ...trustCommands,
  ...remediationCommands,
  ...vmCommands,
  ...placementCommands,
  ...consoleCommands,
  ...evaluationCommands,
];
