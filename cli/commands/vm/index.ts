// The `mcpctl vm` commands.
import { VmGetCommand } from './get.ts';
import { VmLaunchCommand } from './launch.ts';
import { VmLogsCommand } from './logs.ts';
import { VmStopCommand } from './stop.ts';

export const vmCommands = [VmLaunchCommand, VmStopCommand, VmGetCommand, VmLogsCommand];
