// The harness's only way into the platform: its public HTTP API, with tokens minted for each tenant's operator and
// approvers (what `mcpctl token mint` does with the same secret).
import type { Role } from '../../core/schemas/common.ts';
import { signToken } from '../../http/tokens.ts';

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface Actor {
  tenant: string;
  sub: string;
  roles: Role[];
}

export interface ApiClient {
  url: string;
  token(actor: Actor): Promise<string>;
  request(actor: Actor, method: string, path: string, json?: unknown): Promise<Answer>;
  /** The Prometheus text at /metrics (public). */
  metrics(): Promise<string>;
}

export const operator = (tenant: string): Actor => ({ tenant, sub: `operator-${tenant}`, roles: ['operator', 'viewer'] });
export const approver = (tenant: string, n: number): Actor => ({ tenant, sub: `approver-${n}-${tenant}`, roles: ['approver', 'viewer'] });

export function createApiClient(url: string, secret: string): ApiClient {
  const tokens = new Map<string, Promise<string>>();
  const token = (actor: Actor) => {
    const key = `${actor.tenant}/${actor.sub}`;
    if (!tokens.has(key)) tokens.set(key, signToken(secret, { sub: actor.sub, owner: actor.tenant, roles: actor.roles }, { expiresIn: '2h' }));
    return tokens.get(key)!;
  };
  return {
    url,
    token,
    async request(actor, method, path, json) {
      const headers: Record<string, string> = { authorization: `Bearer ${await token(actor)}` };
      if (json !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json), signal: AbortSignal.timeout(15_000) });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON (a proxy page, a plain-text error): kept as text for the history
      }
      return { status: response.status, body };
    },
    async metrics() {
      const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(15_000) });
      return response.text();
    },
  };
}
