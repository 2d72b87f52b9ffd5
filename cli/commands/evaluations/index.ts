// The `mcpctl evaluations` commands.
import { EvaluationsGetCommand } from './get.ts';
import { EvaluationsListCommand } from './list.ts';

export const evaluationCommands = [EvaluationsListCommand, EvaluationsGetCommand];
