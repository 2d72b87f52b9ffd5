// The CLI's HTTP client: JSON in and out, problem responses turned into ApiProblem errors.
export class ApiProblem extends Error {
  readonly code: string;
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    const code = typeof body.code === 'string' ? body.code : `http-${status}`;
    const detail = typeof body.detail === 'string' ? body.detail : JSON.stringify(body);
    // Name each bad field, so a 400 tells the operator which flag to fix.
    const fields = Array.isArray(body.errors)
      ? (body.errors as { path?: string; message?: string }[]).map((error) => `${error.path ?? '?'}: ${error.message ?? 'invalid'}`)
      : [];
    super(fields.length > 0 ? `${code}: ${detail} (${fields.join('; ')})` : `${code}: ${detail}`);
    this.name = 'ApiProblem';
    this.code = code;
    this.status = status;
    this.body = body;
  }
}

export interface ApiClient {
  baseUrl: string;
  token: string | undefined;
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** `request`, also answering the response headers (an ETag a later write sends back). */
  exchange<T = unknown>(method: string, path: string, body?: unknown): Promise<{ body: T; headers: Headers }>;
  /** Open a raw request (SSE streams). */
  open(path: string, init?: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response>;
}

export function createApiClient(baseUrl: string, token: string | undefined): ApiClient {
  const headers = (extra: Record<string, string> = {}) => ({
    accept: 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });
  const url = (path: string) => new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
  return {
    baseUrl,
    token,
    async request(method, path, body) {
      return (await this.exchange(method, path, body)).body as never;
    },
    async exchange(method, path, body) {
      let response: Response;
      try {
        response = await fetch(url(path), {
          method,
          headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (error) {
        throw new ApiProblem(0, { code: 'api-unreachable', detail: `cannot reach ${baseUrl} (${(error as Error).cause ?? (error as Error).message})` });
      }
      const text = await response.text();
      let parsed: unknown = undefined;
      if (text !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = { detail: text.slice(0, 500) };
        }
      }
      if (!response.ok) throw new ApiProblem(response.status, (parsed ?? {}) as Record<string, unknown>);
      return { body: parsed as never, headers: response.headers };
    },
    async open(path, init = {}) {
      const response = await fetch(url(path), { headers: headers(init.headers), ...(init.signal ? { signal: init.signal } : {}) });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
        throw new ApiProblem(response.status, body);
      }
      return response;
    },
  };
}
