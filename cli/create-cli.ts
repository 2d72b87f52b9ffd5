// Builds mcpctl's Cli: the built-ins (help, version, `--clipanion=definitions` for tooling and tests), every
// command, and a verb-list command per noun.
import { Builtins } from 'clipanion';
import { commands } from './commands/index.ts';
import { HelpCommand } from './help-command.ts';
import { McpCli } from './mcp-cli.ts';
import { nounCommands } from './noun-command.ts';

export const binaryVersion = '0.1.0';

export function createCli(): McpCli {
  const cli = new McpCli({ binaryLabel: 'mcp-runtime control CLI', binaryName: 'mcpctl', binaryVersion });
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  cli.register(Builtins.DefinitionsCommand);
  cli.register(HelpCommand);
  for (const command of commands) cli.register(command);
  for (const noun of nounCommands(commands)) cli.register(noun);
  return cli;
}
