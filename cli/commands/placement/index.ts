// The `mcpctl placement` commands.
import { PlacementEvaluateCommand } from './evaluate.ts';
import { PlacementOverrideCommand } from './override.ts';

export const placementCommands = [PlacementEvaluateCommand, PlacementOverrideCommand];
