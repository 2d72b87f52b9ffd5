// One cloud API request as the cloud executor needs it: redirects are followed by hand, only within the original
// origin and the URL policy (the auth header must never reach another host), and the answer is read up to a cap.
import { isAllowedCloudUrl } from '../../core/remediation-plan.ts';

export const MAX_REDIRECTS = 5;

export interface CloudRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
}

export type CloudAnswer =
  | { kind: 'answer'; status: number; location: string | null; text: string; truncated: boolean; url: string }
  | { kind: 'refused'; detail: string }
  | { kind: 'too-many-redirects'; detail: string };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Reads at most `capBytes` of the body, then cancels the rest: a 50 MB answer costs `capBytes` of memory, not 50 MB. */
export async function readCapped(response: Response, capBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (response.body === null) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = capBytes - size;
    chunks.push(value.byteLength > room ? value.subarray(0, room) : value);
    size += Math.min(value.byteLength, room);
    if (value.byteLength > room) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks)), truncated };
}

export async function sendCloudRequest(doFetch: typeof fetch, request: CloudRequest, capBytes: number): Promise<CloudAnswer> {
  const origin = new URL(request.url).origin;
  let { method, url, body, headers } = request;
  for (let hop = 0; ; hop++) {
    const response = await doFetch(url, { method, headers, body: body ?? null, signal: request.signal, redirect: 'manual' });
    const location = response.headers.get('location');
    if (!REDIRECTS.has(response.status) || location === null) {
      const { text, truncated } = await readCapped(response, capBytes);
      return { kind: 'answer', status: response.status, location, text, truncated, url };
    }
    await response.body?.cancel();
    const next = new URL(location, url).toString();
    if (!isAllowedCloudUrl(next) || new URL(next).origin !== origin) {
      return { kind: 'refused', detail: `${method} ${url} redirected (${response.status}) to ${new URL(next).origin}, outside ${origin} or the URL policy: not followed` };
    }
    if (hop + 1 > MAX_REDIRECTS) return { kind: 'too-many-redirects', detail: `${request.method} ${request.url} redirected more than ${MAX_REDIRECTS} times` };
    // As fetch does: 303 (and 301/302 after a POST) continue as a GET without the body; 307/308 repeat the request.
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'content-type'));
    }
    url = next;
  }
}
