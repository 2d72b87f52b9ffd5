// mcpctl help [command…]: the general usage, a noun's verbs, or one command's detailed help.
import { Command, Option, type BaseContext } from 'clipanion';

export class HelpCommand extends Command<BaseContext> {
  static override paths = [['help']];
  static override usage = Command.Usage({
    description: 'Show the commands, the verbs of a noun, or the help of one command',
    examples: [['Every command', 'mcpctl help'], ['The server commands', 'mcpctl help servers'], ['One command', 'mcpctl help servers list']],
  });

  command = Option.Rest({ name: 'command' });

  async execute() {
    if (this.command.length === 0) {
      this.context.stdout.write(this.cli.usage());
      return 0;
    }
    return this.cli.run([...this.command, '--help']);
  }
}
