// Prometheus series of the SSE hubs: rows their catch-ups read from the log and clients dropped for falling behind.
// Created once per registry, so several hubs in one process (tests, API + admin) add up in the same series.
import { Counter, type Registry } from 'prom-client';

export interface StreamMetrics {
  rowsRead: Counter;
  dropped: Counter;
}

function counter(registry: Registry, name: string, help: string): Counter {
  return (registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, registers: [registry] });
}

export function createStreamMetrics(registry: Registry): StreamMetrics {
  return {
    rowsRead: counter(registry, 'mcp_stream_catch_up_rows_total', 'Rows SSE catch-ups read from stream_events'),
    dropped: counter(registry, 'mcp_stream_clients_dropped_total', 'SSE clients dropped for being more than SSE_MAX_BUFFERED_BYTES behind'),
  };
}
