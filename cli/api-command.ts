// Base class of every command that talks to the API: connection flags, --json, and `code: detail` errors.
import { Command, Option, UsageError } from 'clipanion';
import { ApiProblem, createApiClient, type ApiClient } from './api-client.ts';
import { renderRecord, renderTable } from './render.ts';
import { WAIT_TIMEOUT_EXIT, WaitTimeout } from './wait-loop.ts';

export abstract class ApiCommand extends Command {
  apiUrl = Option.String('--api-url', { description: 'API base URL (default: $MCPCTL_API_URL or http://127.0.0.1:8080)' });
  token = Option.String('--token', { description: 'Bearer token (default: $MCPCTL_TOKEN)' });
  json = Option.Boolean('--json', false, { description: 'Print JSON instead of a table' });

  protected client(): ApiClient {
    const baseUrl = this.apiUrl ?? this.context.env.MCPCTL_API_URL ?? 'http://127.0.0.1:8080';
    return createApiClient(baseUrl, this.token ?? this.context.env.MCPCTL_TOKEN);
  }

  protected print(text: string): void {
    this.context.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** The terminal's width when stdout is one (tables and records are fitted to it), else undefined. */
  protected terminalWidth(): number | undefined {
    const stdout = this.context.stdout as { isTTY?: boolean; columns?: number };
    return stdout.isTTY === true && stdout.columns ? stdout.columns : undefined;
  }

  protected table(rows: Record<string, unknown>[], columns: string[]): string {
    return renderTable(rows, columns, this.terminalWidth());
  }

  protected record(record: Record<string, unknown>, keys?: string[]): string {
    return renderRecord(record, keys, this.terminalWidth());
  }

  protected printJson(value: unknown): void {
    this.context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    try {
      return (await this.run()) ?? 0;
    } catch (error) {
      if (error instanceof ApiProblem) {
        this.context.stderr.write(`${error.message}\n`);
        return 1;
      }
      if (error instanceof WaitTimeout) {
        this.context.stderr.write(`${error.message}\n`);
        return WAIT_TIMEOUT_EXIT;
      }
      throw error;
    }
  }
}

/** Parse a JSON option value, reporting the flag by name when it is not JSON. */
export function parseJsonOption(flag: string, raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new UsageError(`${flag} must be JSON`);
  }
}
