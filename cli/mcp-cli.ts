// mcpctl's clipanion Cli with the conventions the commands rely on: usage errors (unknown syntax, a missing or
// invalid flag, a UsageError from a command) go to stderr with exit 2, API and other failures to stderr with
// exit 1; colour only when the stream is a TTY and NO_COLOR is unset; usage lines with named placeholders; and
// `mcpctl <noun>` (a path prefix such as `servers` or `trust registry`) prints the verbs under it.
import { Cli, Command, type BaseContext, type CommandClass } from 'clipanion';
import { renderUsage, type UsageBuilder } from './usage-line.ts';
import { isNounCommand, renderVerbList } from './noun-command.ts';

type Env = Record<string, string | undefined>;

/** https://no-color.org: any non-empty NO_COLOR turns colour off; so does a stream that is not a terminal. */
export function colorWanted(stream: NodeJS.WritableStream, env: Env): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** An input that matches nothing gets one line pointing at the listings instead of clipanion's list of every command. */
function tooVague(error: unknown, input: Command<BaseContext> | string[]): string | undefined {
  const candidates = (error as { name?: string; candidates?: unknown[] }).candidates;
  if ((error as { name?: string }).name !== 'UnknownSyntaxError' || candidates === undefined || candidates.length <= 5 || !Array.isArray(input)) return undefined;
  return `Unknown Syntax Error: no command matches \`mcpctl ${input.join(' ')}\`; \`mcpctl help\` lists the commands and \`mcpctl <noun>\` the verbs of one\n`;
}

export class McpCli extends Cli<BaseContext> {
  override register(commandClass: CommandClass<BaseContext>): void {
    super.register(commandClass);
    const builder = this.registrations.get(commandClass)?.builder as unknown as UsageBuilder & { usage: unknown };
    builder.usage = (options?: { detailed?: boolean; inlineOptions?: boolean }) => renderUsage(builder, options);
  }

  override usage(command: CommandClass<BaseContext> | Command<BaseContext> | null = null, options: { colored?: boolean; detailed?: boolean; prefix?: string } = {}): string {
    const commandClass = command instanceof Command ? (command.constructor as CommandClass<BaseContext>) : command;
    if (commandClass !== null && isNounCommand(commandClass)) {
      return renderVerbList(commandClass.noun, this.definitions(), this.format(options.colored));
    }
    return super.usage(command, options);
  }

  override async run(input: Command<BaseContext> | string[], userContext?: Partial<BaseContext> | void): Promise<number> {
    const context = { ...Cli.defaultContext, ...userContext };
    (this as { enableColors?: boolean }).enableColors = colorWanted(context.stdout, context.env);
    const errorColored = colorWanted(context.stderr, context.env);
    let command: Command<BaseContext>;
    try {
      command = Array.isArray(input) ? this.process(input, context) : input;
    } catch (error) {
      context.stderr.write(tooVague(error, input) ?? this.error(error, { colored: errorColored }));
      return 2;
    }
    if (command.help) {
      context.stdout.write(this.usage(command, { detailed: true }));
      return 0;
    }
    command.context = context;
    command.cli = {
      binaryLabel: this.binaryLabel,
      binaryName: this.binaryName,
      binaryVersion: this.binaryVersion,
      enableCapture: this.enableCapture,
      enableColors: this.enableColors,
      definitions: () => this.definitions(),
      error: (error, options) => this.error(error, options),
      format: (colored) => this.format(colored),
      process: (argv, subContext) => this.process(argv, { ...context, ...subContext }),
      run: (argv, subContext) => this.run(argv, { ...context, ...subContext }),
      usage: (target, options) => this.usage(target, options),
    };
    try {
      return await command.validateAndExecute();
    } catch (error) {
      context.stderr.write(this.error(error, { colored: errorColored, command }));
      return (error as { clipanion?: { type?: string } }).clipanion?.type === 'usage' ? 2 : 1;
    }
  }
}
