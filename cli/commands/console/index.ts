// The `mcpctl console …` commands, registered by cli/commands/index.ts in one entry.
import { ConsoleLifecycleCommand } from './lifecycle.ts';
import { ConsoleWatchCommand } from './watch.ts';

export const consoleCommands = [ConsoleLifecycleCommand, ConsoleWatchCommand];
