// The messages parseConfig gives for an environment (empty when it is valid), for table-driven config tests.
import { ConfigError, parseConfig } from '../../core/config.ts';

export function problemsFor(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
