import { describe, expect, it } from 'vitest';
import type { ClaimedPlaybook } from '../../sql/remediation-claim.ts';
import { createPlaybookCache } from '../../workers/remediation-playbook-cache.ts';

const playbook = (id: number, version: number, args: string[] = []): ClaimedPlaybook => ({
  id, version, playbook_key: `pb-${id}`, executor_type: 'shell', plan: { command: 'true', args }, timeout_seconds: 30, metadata: {},
});
const planOf = ({ playbook_key, executor_type, plan, timeout_seconds }: ClaimedPlaybook) => ({ playbook_key, executor_type, plan, timeout_seconds });
const bytesOf = (entry: ClaimedPlaybook) => JSON.stringify(planOf(entry)).length;

describe('the dispatcher playbook cache', () => {
  it('answers a playbook by id and version only, without its id, version or metadata', () => {
    const cache = createPlaybookCache();
    cache.remember(playbook(1, 2));
    expect(cache.get(1, 2)).toEqual(planOf(playbook(1, 2)));
    expect(cache.get(1, 1)).toBeUndefined();
    expect(cache.get(2, 2)).toBeUndefined();
  });

  it('keeps at most its byte budget, evicting the least recently used first', () => {
    const one = playbook(1, 1, ['x'.repeat(100)]);
    const cache = createPlaybookCache(bytesOf(one) * 2 + 10);
    cache.remember(one);
    cache.remember(playbook(2, 1, ['x'.repeat(100)]));
    expect(cache.get(1, 1)).toBeDefined(); // 1 is now the most recent use
    cache.remember(playbook(3, 1, ['x'.repeat(100)]));
    expect([cache.get(1, 1), cache.get(2, 1), cache.get(3, 1)].map(Boolean)).toEqual([true, false, true]);
  });

  it('does not keep a playbook larger than the whole budget, nor push the others out for it', () => {
    const small = playbook(1, 1);
    const cache = createPlaybookCache(bytesOf(small) + 50);
    cache.remember(small);
    cache.remember(playbook(2, 1, ['x'.repeat(500)]));
    expect(cache.get(2, 1)).toBeUndefined();
    expect(cache.get(1, 1)).toEqual(planOf(small));
  });
});
