import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false, env: { SSE_HEARTBEAT_MS: '200' } });
});
afterAll(() => platform.close());

describe('SSE heartbeats', () => {
  it('sends a heartbeat comment to a stream that has nothing else to say, after the head and the retry hint', async () => {
    const controller = new AbortController();
    const response = await fetch(`${platform.url}/api/trust/registry/stream`, {
      headers: { authorization: `Bearer ${await platform.token({ owner: 'quiet' })}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of response.body!) {
      text += decoder.decode(chunk as Uint8Array, { stream: true });
      if (text.includes(': heartbeat ')) break;
    }
    controller.abort();
    expect(text).toMatch(/^retry: 2000\n\n: heartbeat \d{4}-\d\d-\d\dT[\d:.]+Z\n\n/);
  });
});
