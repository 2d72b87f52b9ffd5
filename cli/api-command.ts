// Base class of every command that talks to the API: connection flags, --json, and `code: detail` errors.
import { Command, Option } from 'clipanion';
import { ApiProblem, createApiClient, type ApiClient } from './api-client.ts';

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
    throw new ApiProblem(0, { code: 'bad-option', detail: `${flag} must be JSON` });
  }
}
