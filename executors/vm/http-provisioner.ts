// The legacy hypervisor REST driver (VM_PROVISIONER_DRIVER=http). Contract, relative to VM_HTTP_PROVISIONER_URL:
//   POST /v1/vms {name, image, memory_mib, vcpu_count, isolation_tier, labels} → 201|200 {name, state}; 409 = exists
//   GET  /v1/vms/:name → 200 {name, state} | 404      POST /v1/vms/:name/stop {timeout_ms} → 200 {forced} | 404
//   GET  /v1/vms/:name/console?tail=N → 200 text/plain
// Timeouts, network errors and 5xx are transient (retried); other 4xx are structural (not retried).
import { z } from 'zod';
import type { Config } from '../../core/config.ts';
import { AppError } from '../../core/errors.ts';
import type { LaunchResult, StopResult, VmProvisioner, VmState } from './provisioner.ts';

const vmState = z.enum(['running', 'paused', 'shutting-down', 'shutoff', 'crashed', 'missing', 'unknown']).catch('unknown');
const vmBody = z.object({ name: z.string(), state: vmState });
const stopBody = z.object({ forced: z.boolean().default(false) });

export type HttpSettings = Pick<Config, 'VM_HTTP_PROVISIONER_URL' | 'VM_HTTP_PROVISIONER_TIMEOUT_MS' | 'LIBVIRT_SHUTDOWN_TIMEOUT_MS'>;

export interface HttpProvisioner extends VmProvisioner {
  readConsole(domainName: string, tail: number, signal?: AbortSignal): Promise<string[]>;
}

export function createHttpProvisioner(settings: HttpSettings): HttpProvisioner {
  const base = settings.VM_HTTP_PROVISIONER_URL.replace(/\/$/, '');

  async function call(method: string, path: string, options: { json?: unknown; signal?: AbortSignal; allow?: number[]; timeoutMs?: number } = {}) {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? settings.VM_HTTP_PROVISIONER_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        signal,
        headers: options.json === undefined ? {} : { 'content-type': 'application/json' },
        ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
      });
    } catch (error) {
      if (timeout.aborted) throw new AppError('executor-timeout', `hypervisor API ${method} ${path} timed out`, { cause: error });
      if (options.signal?.aborted) throw error;
      throw new AppError('provisioner-unavailable', `hypervisor API ${method} ${path} is unreachable`, { cause: error });
    }
    if (response.ok || options.allow?.includes(response.status)) return response;
    const detail = (await response.text().catch(() => '')).slice(0, 300);
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new AppError('provisioner-unavailable', `hypervisor API ${method} ${path} answered ${response.status}`, { extras: { upstream_status: response.status } });
    }
    throw new AppError('provisioner-rejected', `hypervisor API ${method} ${path} answered ${response.status}: ${detail}`, {
      extras: { upstream_status: response.status },
    });
  }

  const path = (name: string) => `/v1/vms/${encodeURIComponent(name)}`;

  async function state(name: string, signal?: AbortSignal): Promise<VmState> {
    const response = await call('GET', path(name), { allow: [404], ...(signal ? { signal } : {}) });
    if (response.status === 404) return 'missing';
    return vmBody.parse(await response.json()).state;
  }

  return {
    driver: 'http',
    async launch(request, signal): Promise<LaunchResult> {
      const response = await call('POST', '/v1/vms', {
        allow: [409],
        ...(signal ? { signal } : {}),
        json: {
          name: request.domainName,
          image: request.image,
          memory_mib: request.memoryMib,
          vcpu_count: request.vcpuCount,
          isolation_tier: request.tier,
          labels: { server_id: String(request.serverId), owner_id: request.ownerId },
        },
      });
      const alreadyRunning = response.status === 409;
      const current = alreadyRunning ? await state(request.domainName, signal) : vmBody.parse(await response.json()).state;
      return { domainName: request.domainName, state: current, consoleLogPath: null, alreadyRunning };
    },
    async stop(domainName, signal): Promise<StopResult> {
      const response = await call('POST', `${path(domainName)}/stop`, {
        allow: [404],
        json: { timeout_ms: settings.LIBVIRT_SHUTDOWN_TIMEOUT_MS },
        timeoutMs: settings.VM_HTTP_PROVISIONER_TIMEOUT_MS + settings.LIBVIRT_SHUTDOWN_TIMEOUT_MS,
        ...(signal ? { signal } : {}),
      });
      if (response.status === 404) return { forced: false, existed: false };
      return { forced: stopBody.parse(await response.json()).forced, existed: true };
    },
    state: (name) => state(name),
    async readConsole(domainName, tail, signal) {
      const response = await call('GET', `${path(domainName)}/console?tail=${tail}`, { allow: [404], ...(signal ? { signal } : {}) });
      if (response.status === 404) throw new AppError('vm-instance-not-found', `the hypervisor knows no VM ${domainName}`);
      const lines = (await response.text()).split('\n');
      if (lines.at(-1) === '') lines.pop();
      return lines.slice(-tail);
    },
    credentialSnapshot: () => ({}),
    reloadCredentials: async () => {},
    close: async () => {},
  };
}
