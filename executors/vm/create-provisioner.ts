// Builds the provisioner VM_PROVISIONER_DRIVER names; libvirt fails here, at startup, when its binding is missing.
import type { Logger } from 'pino';
import type { Config } from '../../core/config.ts';
import { createHttpProvisioner } from './http-provisioner.ts';
import { loadLibvirtBinding } from './libvirt-binding.ts';
import { createCredentialStore } from './libvirt-credentials.ts';
import { createLibvirtProvisioner } from './libvirt-provisioner.ts';
import type { VmProvisioner } from './provisioner.ts';

export async function createProvisioner(config: Config): Promise<VmProvisioner> {
  if (config.VM_PROVISIONER_DRIVER === 'http') return createHttpProvisioner(config);
  const binding = await loadLibvirtBinding();
  const credentials = await createCredentialStore(config.LIBVIRT_CONNECTION_URI, {
    username: config.LIBVIRT_USERNAME,
    password: config.LIBVIRT_PASSWORD,
    passwordFile: config.LIBVIRT_PASSWORD_FILE,
  });
  return createLibvirtProvisioner(binding, config, credentials);
}

/** SIGHUP re-reads rotated secrets; returns the function that removes the handler. */
export function reloadOnSighup(provisioner: VmProvisioner, onResult: (error?: unknown) => void): () => void {
  const handler = () => {
    provisioner.reloadCredentials().then(() => onResult(), onResult);
  };
  process.on('SIGHUP', handler);
  return () => process.off('SIGHUP', handler);
}

/** The provisioner for a worker process that hosts vm-launch (all queues when `queueNames` is empty), with SIGHUP rotation. */
export async function startVmProvisioner(
  config: Config,
  logger: Logger,
  queueNames: string[],
): Promise<{ provisioner: VmProvisioner; close(): Promise<void> } | undefined> {
  if (queueNames.length > 0 && !queueNames.includes('vm-launch')) return undefined;
  const provisioner = await createProvisioner(config);
  const removeSighup = reloadOnSighup(provisioner, (error) => {
    if (error === undefined) logger.info({ driver: provisioner.driver }, 'SIGHUP: VM provisioner credentials reloaded');
    else logger.error({ err: error }, 'SIGHUP: reloading VM provisioner credentials failed; the previous ones stay in use');
  });
  return {
    provisioner,
    async close() {
      removeSighup();
      await provisioner.close();
    },
  };
}
