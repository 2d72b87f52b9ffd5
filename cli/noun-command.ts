// `mcpctl servers`, `mcpctl trust`, `mcpctl trust registry` …: one command per path prefix of the registered
// commands, which prints the verbs under it (so does `mcpctl help servers` and `mcpctl servers --help`).
import { Command, type BaseContext, type CommandClass, type Definition } from 'clipanion';

export interface NounCommandClass extends CommandClass<BaseContext> {
  noun: string[];
}

export function isNounCommand(commandClass: CommandClass<BaseContext>): commandClass is NounCommandClass {
  return Array.isArray((commandClass as Partial<NounCommandClass>).noun);
}

/** A command class for every proper prefix of the given command paths that is not itself a command. */
export function nounCommands(commandClasses: CommandClass<BaseContext>[]): NounCommandClass[] {
  const paths = commandClasses.flatMap((commandClass) => commandClass.paths ?? []);
  const taken = new Set(paths.map((path) => path.join(' ')));
  const nouns = new Map<string, string[]>();
  for (const path of paths) {
    for (let length = 1; length < path.length; length += 1) {
      const noun = path.slice(0, length);
      if (!taken.has(noun.join(' '))) nouns.set(noun.join(' '), noun);
    }
  }
  return [...nouns.values()].map((noun) => {
    class NounCommand extends Command<BaseContext> {
      static override paths = [noun];
      static noun = noun;
      async execute() {
        this.context.stdout.write(this.cli.usage(NounCommand));
      }
    }
    return NounCommand;
  });
}

interface Format {
  bold(text: string): string;
  header(text: string): string;
}

export function renderVerbList(noun: string[], definitions: Definition[], format: Format): string {
  const prefix = `${definitions[0]?.path.split(' ')[0] ?? 'mcpctl'} ${noun.join(' ')} `;
  const verbs = definitions.filter((definition) => definition.path.startsWith(prefix)).sort((a, b) => a.path.localeCompare(b.path));
  const width = Math.max(...verbs.map((verb) => verb.path.length));
  const lines = verbs.map((verb) => `  ${format.bold(verb.path.padEnd(width))}  ${(verb.description ?? '').trim()}`);
  return `${format.header(`${prefix}<command>`)}\n\n${lines.join('\n')}\n\nRun \`${prefix}<command> --help\` (or \`mcpctl help ${noun.join(' ')} <command>\`) for its flags.\n`;
}
