// The whole /metrics exposition (prom-client defaults, HTTP, queues, outbox, streams) parses as Prometheus text
// and keeps the rules `promtool check metrics` enforces.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../http/metrics.ts';
import { lintPrometheusText } from '../support/prometheus-lint.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.close());

describe('/metrics', () => {
  it('parses, and every family passes the lint', async () => {
    await fetch(`${platform.url}/healthz`);
    await fetch(`${platform.url}/api/servers`); // a 401, so the request counter has two series
    const response = await fetch(`${platform.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const families = parsePrometheusTextFormat(text);
    const names = families.map((family) => family.name);
    expect(names).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_gc_duration_seconds', 'mcp_http_requests_total', 'mcp_queue_jobs', 'mcp_outbox_lag_seconds', 'mcp_stream_clients_dropped_total']));
    expect(new Set(names).size).toBe(names.length);
    const requests = families.find((family) => family.name === 'mcp_http_requests_total')!;
    expect(requests.type).toBe('COUNTER');
    expect(requests.metrics.map((sample) => sample.labels?.status)).toEqual(expect.arrayContaining(['200', '401']));
    expect(lintPrometheusText(text)).toEqual([]);
  });

  it('drops the prom-client gauges named *_total that promtool refuses', async () => {
    const text = await createMetrics({ defaults: true }).registry.metrics();
    expect(text).not.toContain('nodejs_active_handles_total');
    expect(text).toContain('# TYPE nodejs_active_handles gauge');
    expect(lintPrometheusText(text)).toEqual([]);
  });

  it('the lint catches what promtool refuses', () => {
    const bad = ['# HELP a_total x', '# TYPE a_total gauge', 'a_total 1', '# TYPE b counter', 'b 1', '# HELP c x', '# TYPE c gauge', '# TYPE c gauge', 'c{someLabel="1"} 1', '# HELP d_ms x', '# TYPE d_ms gauge', 'd_ms 1'].join('\n');
    expect(lintPrometheusText(bad).sort()).toEqual([
      'c: label someLabel is camelCase',
      'a_total: non-counter metrics should not have "_total" suffix',
      'b: no HELP',
      'b: counter metrics should have "_total" suffix',
      'c: duplicate TYPE (the family is exposed twice)',
      'd_ms: use base units (seconds, bytes)',
    ].sort());
  });
});
