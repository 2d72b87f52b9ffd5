// Composition root of `mcpctl`.
import { Builtins, Cli } from 'clipanion';
import { commands } from './commands/index.ts';

const cli = new Cli({ binaryLabel: 'mcp-runtime control CLI', binaryName: 'mcpctl', binaryVersion: '0.1.0' });
cli.register(Builtins.HelpCommand);
cli.register(Builtins.VersionCommand);
for (const command of commands) cli.register(command);

process.exitCode = await cli.run(process.argv.slice(2), { env: process.env });
