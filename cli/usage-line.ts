// The usage line of one command, as clipanion's CommandBuilder.usage renders it, but with named placeholders
// (`--version <version>`, not `--version #0`) and the flags of cli/flags.ts `requiredFlag` shown as required.
import type { FlagExtras } from './flags.ts';

interface OptionDefinition extends FlagExtras {
  names: string[];
  description?: string;
  arity: number;
  hidden: boolean;
  required: boolean;
}

export interface UsageBuilder {
  cliOpts: { binaryName: string };
  paths: string[][];
  options: OptionDefinition[];
  arity: { leading: string[]; extra: string[] | symbol; trailing: string[] };
}

export interface Usage {
  usage: string;
  options: { definition: string; description: string; required: boolean }[];
}

/** `--api-url` → `<api-url>`, unless the flag names its own placeholder. */
function placeholderOf(option: OptionDefinition): string {
  const longest = [...option.names].sort((a, b) => b.length - a.length)[0] ?? 'value';
  return `<${option.placeholder ?? longest.replace(/^-+/, '')}>`;
}

export function renderUsage(builder: UsageBuilder, { detailed = true, inlineOptions = true } = {}): Usage {
  const segments = [builder.cliOpts.binaryName, ...(builder.paths[0] ?? [])];
  const options: Usage['options'] = [];
  if (!detailed) return { usage: segments.join(' '), options };
  for (const option of builder.options) {
    if (option.hidden) continue;
    const required = option.required || option.mustHave === true;
    const definition = `${option.names.join(',')}${option.arity > 0 ? ` ${Array(option.arity).fill(placeholderOf(option)).join(' ')}` : ''}`;
    if (!inlineOptions && option.description) options.push({ definition, description: required ? `${option.description} (required)` : option.description, required });
    else segments.push(required ? definition : `[${definition}]`);
  }
  segments.push(...builder.arity.leading.map((name) => `<${name}>`));
  if (Array.isArray(builder.arity.extra)) segments.push(...builder.arity.extra.map((name) => `[${name}]`));
  else segments.push('...');
  segments.push(...builder.arity.trailing.map((name) => `<${name}>`));
  return { usage: segments.join(' '), options };
}
