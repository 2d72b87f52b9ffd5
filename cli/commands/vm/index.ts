// The `mcpctl vm` commands.
import { VmGetCommand } from './get.ts';
import { VmInstancesGetCommand } from './instances/get.ts';
import { VmInstancesListCommand } from './instances/list.ts';
import { VmInstancesRegisterCommand } from './instances/register.ts';
import { VmLaunchCommand } from './launch.ts';
import { VmLogsCommand } from './logs.ts';
import { VmStopCommand } from './stop.ts';

export const vmCommands = [VmLaunchCommand, VmStopCommand, VmGetCommand, VmLogsCommand, VmInstancesRegisterCommand, VmInstancesListCommand, VmInstancesGetCommand];
