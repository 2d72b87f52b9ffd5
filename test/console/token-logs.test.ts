// The web console's token never reaches the logs: not on the page, not as ?access_token= on the stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { openSse } from '../trust/sse-client.ts';

const lines: string[] = [];
let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: ['console-project'], logLines: lines });
});
afterAll(async () => platform?.close());

describe('console tokens in logs', () => {
  it('logs the stream request by path only, never the access_token it carried', async () => {
    const token = await platform.token({ owner: 'logs', roles: ['viewer'] });
    expect((await fetch(`${platform.url}/console`)).status).toBe(200);
    const reader = await openSse(`${platform.url}/api/console/lifecycle/stream?access_token=${token}`, token);
    expect((await reader.next(2)).map((event) => event.event)).toEqual(['snapshot', 'snapshot-complete']);
    reader.close();
    expect((await platform.api('/api/console/lifecycle', { token })).status).toBe(200);
    await platform.stopApi();
    const requests = lines.map((line) => JSON.parse(line) as { msg: string; path?: string }).filter((line) => line.msg === 'request');
    expect(requests.map((line) => line.path)).toEqual(expect.arrayContaining(['/console', '/api/console/lifecycle/stream', '/api/console/lifecycle']));
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).not.toContain(token.split('.')[2]);
  });
});
