// The contract every VM provisioner (libvirt, legacy HTTP hypervisor) fulfils for the vm-launch worker.
import type { IsolationTier } from '../../core/config.ts';
import type { CredentialSnapshot } from '../../sql/vm-instances.ts';

export type ProvisionerDriver = 'libvirt' | 'http';

/** Coarse VM state shared by all drivers. */
export type VmState = 'running' | 'paused' | 'shutting-down' | 'shutoff' | 'crashed' | 'missing' | 'unknown';

export interface LaunchRequest {
  domainName: string;
  serverId: number;
  ownerId: string;
  image: string;
  memoryMib: number;
  vcpuCount: number;
  tier: IsolationTier;
}

export interface LaunchResult {
  domainName: string;
  state: VmState;
  /** Where the console log lands on this host, when the driver writes one. */
  consoleLogPath: string | null;
  /** True when the domain was already running (a re-delivered job). */
  alreadyRunning: boolean;
}

export interface StopResult {
  /** True when graceful shutdown timed out and the domain was destroyed. */
  forced: boolean;
  /** False when there was nothing to stop. */
  existed: boolean;
}

export interface VmProvisioner {
  readonly driver: ProvisionerDriver;
  launch(request: LaunchRequest, signal?: AbortSignal): Promise<LaunchResult>;
  /** Graceful shutdown with a timeout, then destroy; the definition is removed either way. */
  stop(domainName: string, signal?: AbortSignal): Promise<StopResult>;
  state(domainName: string): Promise<VmState>;
  /** The sanitized view of the credentials in use: never the secret itself. */
  credentialSnapshot(): CredentialSnapshot;
  /** Re-read rotated secrets; connections opened afterwards use them. */
  reloadCredentials(): Promise<void>;
  close(): Promise<void>;
}
