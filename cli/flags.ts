// Option factories that follow the CLI's conventions: a required value flag that is missing is a UsageError
// naming it (exit 2), not clipanion's "Command not found"; a value flag shows a named placeholder in usage
// (`--timeout <seconds>`) instead of clipanion's `#0` (rendered by cli/usage-line.ts).
import { Option, UsageError } from 'clipanion';
import * as t from 'typanion';
import type { StrictValidator } from 'typanion';

/** What cli/usage-line.ts reads on clipanion's option definitions besides their own fields. */
export interface FlagExtras {
  placeholder?: string;
  mustHave?: boolean;
}

interface FlagSpec<T> {
  description: string;
  placeholder?: string;
  validator?: StrictValidator<unknown, T>;
}

interface OptionObject {
  definition(builder: { options: FlagExtras[] }, key: string): void;
  transformer(builder: unknown, key: string, state: unknown, context: unknown): unknown;
}

function withExtras(option: unknown, extras: FlagExtras, check?: (value: unknown) => void): unknown {
  const base = option as OptionObject;
  return Option.makeCommandOption({
    definition(builder, key) {
      base.definition(builder as never, key);
      Object.assign((builder as unknown as { options: FlagExtras[] }).options.at(-1) ?? {}, extras);
    },
    transformer(builder, key, state, context) {
      const value = base.transformer(builder, key, state, context);
      check?.(value);
      return value as never;
    },
  });
}

/** A value flag the command cannot run without. */
export function requiredFlag(descriptor: string, spec: FlagSpec<string> & { validator?: undefined }): string;
export function requiredFlag<T>(descriptor: string, spec: FlagSpec<T> & { validator: StrictValidator<unknown, T> }): T;
export function requiredFlag<T>(descriptor: string, spec: FlagSpec<T>): T | string {
  const { placeholder, ...rest } = spec;
  const option = Option.String(descriptor, rest as { description: string });
  return withExtras(option, { mustHave: true, ...(placeholder ? { placeholder } : {}) }, (value) => {
    if (value === undefined) throw new UsageError(`missing required option ${descriptor.split(',').at(-1)}`);
  }) as T | string;
}

/** An optional value flag with a named placeholder. */
export function valueFlag(descriptor: string, spec: FlagSpec<string> & { validator?: undefined }): string | undefined;
export function valueFlag<T>(descriptor: string, spec: FlagSpec<T> & { validator: StrictValidator<unknown, T> }): T | undefined;
export function valueFlag<T>(descriptor: string, initial: string, spec: FlagSpec<T> & { validator: StrictValidator<unknown, T> }): T;
export function valueFlag<T>(descriptor: string, a: string | FlagSpec<T>, b?: FlagSpec<T>): unknown {
  const spec = (typeof a === 'string' ? b : a) as FlagSpec<T>;
  const { placeholder, ...rest } = spec;
  const option = typeof a === 'string' ? Option.String(descriptor, a, rest as { description: string }) : Option.String(descriptor, rest as { description: string });
  return withExtras(option, placeholder ? { placeholder } : {});
}

/** The optimistic-locking `--version` of every change command. */
export const readVersionFlag = (): number => requiredFlag('--version', { validator: t.isNumber(), description: 'The version you read (a stale one is refused with 409)' });
