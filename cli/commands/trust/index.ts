// The `mcpctl trust …` commands, registered by cli/commands/index.ts in one entry.
import { TrustAcceleratorsListCommand } from './accelerators/list.ts';
import { TrustAcceleratorsSetCommand } from './accelerators/set.ts';
import { TrustAttestCommand } from './attest.ts';
import { TrustAttestationsGetCommand } from './attestations/get.ts';
import { TrustAttestationsSubmitCommand } from './attestations/submit.ts';
import { TrustReferencesGetCommand } from './references/get.ts';
import { TrustReferencesHistoryCommand } from './references/history.ts';
import { TrustReferencesSetCommand } from './references/set.ts';
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
  TrustAttestationsGetCommand,
  TrustAttestationsSubmitCommand,
  TrustReferencesGetCommand,
  TrustReferencesSetCommand,
  TrustReferencesHistoryCommand,
  TrustAcceleratorsListCommand,
  TrustAcceleratorsSetCommand,
];
