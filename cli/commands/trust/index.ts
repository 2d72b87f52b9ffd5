// The `mcpctl trust …` commands, registered by cli/commands/index.ts in one entry.
import { TrustAttestCommand } from './attest.ts';
import { TrustRegistryGetCommand } from './registry/get.ts';
import { TrustRegistryHistoryCommand } from './registry/history.ts';
import { TrustRegistryListCommand } from './registry/list.ts';
import { TrustRegistryTransitionCommand } from './registry/transition.ts';
import { TrustRegistryWatchCommand } from './registry/watch.ts';

export const trustCommands = [
  TrustRegistryListCommand,
  TrustRegistryGetCommand,
  TrustRegistryHistoryCommand,
  TrustRegistryTransitionCommand,
  TrustRegistryWatchCommand,
  TrustAttestCommand,
];
