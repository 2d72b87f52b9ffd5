// The libvirt provisioner: define + start domains built by core/domain-xml, graceful stop with a destroy fallback,
// state lookups. One connection is kept and reopened after a failure or a credential rotation.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../core/config.ts';
import { buildDomainXml, type DomainSpec } from '../../core/domain-xml.ts';
import { AppError } from '../../core/errors.ts';
import { assertTierSupported, minimumLibvirtVersion } from '../../core/libvirt-versions.ts';
import type { LibvirtBinding, NativeDomain, NativeHypervisor } from './libvirt-binding.ts';
import type { CredentialStore } from './libvirt-credentials.ts';
import { isDomainNotFound, isLaunchSecurityRejection, toLibvirtError } from './libvirt-errors.ts';
import { probeLibvirtVersion } from './libvirt-version.ts';
import type { LaunchRequest, LaunchResult, StopResult, VmProvisioner, VmState } from './provisioner.ts';

const states: VmState[] = ['unknown', 'running', 'running', 'paused', 'shutting-down', 'shutoff', 'crashed', 'paused'];
const POLL_MS = 100;

export type LibvirtSettings = Pick<
  Config,
  | 'LIBVIRT_CONNECTION_URI' | 'LIBVIRT_DOMAIN_TYPE' | 'LIBVIRT_CONSOLE_SOURCE' | 'LIBVIRT_CONSOLE_LOG_DIR' | 'LIBVIRT_CONSOLE_TCP_PORT_BASE'
  | 'LIBVIRT_NETWORK_TEMPLATE' | 'LIBVIRT_VOLUME_TEMPLATE' | 'LIBVIRT_GPU_POLICY' | 'LIBVIRT_DIRECT_BOOT' | 'LIBVIRT_SHUTDOWN_TIMEOUT_MS'
>;

export function domainSpecFor(settings: LibvirtSettings, request: LaunchRequest): DomainSpec {
  const logFile = join(settings.LIBVIRT_CONSOLE_LOG_DIR, `${request.domainName}.log`);
  return {
    name: request.domainName,
    domainType: settings.LIBVIRT_CONNECTION_URI.startsWith('test:') ? 'test' : settings.LIBVIRT_DOMAIN_TYPE,
    memoryMib: request.memoryMib,
    vcpuCount: request.vcpuCount,
    tier: request.tier,
    console: {
      source: settings.LIBVIRT_CONSOLE_SOURCE,
      logFile,
      socketPath: join(settings.LIBVIRT_CONSOLE_LOG_DIR, `${request.domainName}.sock`),
      tcpPort: settings.LIBVIRT_CONSOLE_TCP_PORT_BASE + (request.serverId % 5000),
    },
    ...(settings.LIBVIRT_NETWORK_TEMPLATE ? { network: settings.LIBVIRT_NETWORK_TEMPLATE } : {}),
    ...(settings.LIBVIRT_VOLUME_TEMPLATE ? { volume: settings.LIBVIRT_VOLUME_TEMPLATE } : {}),
    ...(settings.LIBVIRT_GPU_POLICY ? { gpu: settings.LIBVIRT_GPU_POLICY } : {}),
    ...(settings.LIBVIRT_DIRECT_BOOT ? { directBoot: settings.LIBVIRT_DIRECT_BOOT } : {}),
    labels: { serverId: request.serverId, ownerId: request.ownerId, image: request.image },
  };
}

export interface LibvirtProvisioner extends VmProvisioner {
  /** The domain XML as libvirt holds it (what survived the define). */
  domainXml(domainName: string): Promise<string>;
}

export function createLibvirtProvisioner(binding: LibvirtBinding, settings: LibvirtSettings, credentials: CredentialStore): LibvirtProvisioner {
  let connection: Promise<NativeHypervisor> | undefined;
  let version: Promise<string | undefined> | undefined;

  function connect(): Promise<NativeHypervisor> {
    connection ??= (async () => {
      const hypervisor = new binding.Hypervisor({ uri: credentials.connectionUri() });
      await hypervisor.connectOpen();
      return hypervisor;
    })().catch((error: unknown) => {
      connection = undefined;
      throw toLibvirtError('connect', error);
    });
    return connection;
  }

  async function drop(): Promise<void> {
    const current = connection;
    connection = undefined;
    version = undefined;
    if (current !== undefined) await current.then((hypervisor) => hypervisor.connectClose()).catch(() => undefined);
  }

  /** Run one call; a connection-level failure drops the cached connection so the next call reconnects. */
  async function withHypervisor<T>(operation: string, work: (hypervisor: NativeHypervisor) => Promise<T>): Promise<T> {
    const hypervisor = await connect();
    try {
      return await work(hypervisor);
    } catch (error) {
      const mapped = toLibvirtError(operation, error);
      if (mapped.code === 'libvirt-unavailable' || mapped.code === 'libvirt-auth-failed') await drop();
      throw mapped;
    }
  }

  async function lookup(hypervisor: NativeHypervisor, name: string): Promise<NativeDomain | undefined> {
    try {
      return await hypervisor.domainLookupByName(name);
    } catch (error) {
      if (isDomainNotFound(error)) return undefined;
      throw error;
    }
  }

  const stateOf = async (hypervisor: NativeHypervisor, domain: NativeDomain) => states[(await hypervisor.domainGetInfo(domain)).state] ?? 'unknown';

  async function define(hypervisor: NativeHypervisor, request: LaunchRequest, xml: string): Promise<NativeDomain> {
    const existing = await lookup(hypervisor, request.domainName);
    if (existing !== undefined) return existing;
    try {
      return await hypervisor.domainDefineXML(xml);
    } catch (error) {
      if (request.tier !== 'none' && isLaunchSecurityRejection(error)) {
        throw new AppError('unsupported-isolation-tier', `libvirt rejected isolation tier ${request.tier}; it needs libvirt >= ${minimumLibvirtVersion[request.tier]}`, {
          cause: error,
          extras: { isolation_tier: request.tier, required_libvirt: minimumLibvirtVersion[request.tier] },
        });
      }
      throw error;
    }
  }

  /** libvirt drops elements it does not know without the validate flag: make sure the confidential stanza survived. */
  async function verifyConfidential(hypervisor: NativeHypervisor, domain: NativeDomain, request: LaunchRequest): Promise<void> {
    if (request.tier === 'none') return;
    const readBack = await hypervisor.domainGetXMLDesc(domain);
    if (readBack.includes(`<launchSecurity type='${request.tier}'`) || readBack.includes(`<launchSecurity type="${request.tier}"`)) return;
    await hypervisor.domainUndefine(domain);
    throw new AppError('unsupported-isolation-tier', `libvirt dropped the ${request.tier} launch security stanza; it needs libvirt >= ${minimumLibvirtVersion[request.tier]}`, {
      extras: { isolation_tier: request.tier, required_libvirt: minimumLibvirtVersion[request.tier] },
    });
  }

  return {
    driver: 'libvirt',
    async launch(request, signal): Promise<LaunchResult> {
      version ??= probeLibvirtVersion(credentials.connectionUri(), signal);
      assertTierSupported(request.tier, await version);
      const spec = domainSpecFor(settings, request);
      const xml = buildDomainXml(spec);
      if (!spec.name.startsWith('mcp-')) throw new AppError('bad-request', 'domain names must start with mcp-');
      await mkdir(settings.LIBVIRT_CONSOLE_LOG_DIR, { recursive: true });
      return withHypervisor('launch', async (hypervisor) => {
        const domain = await define(hypervisor, request, xml);
        await verifyConfidential(hypervisor, domain, request);
        const before = await stateOf(hypervisor, domain);
        if (before !== 'running') await hypervisor.domainCreate(domain);
        return { domainName: request.domainName, state: await stateOf(hypervisor, domain), consoleLogPath: spec.console.logFile, alreadyRunning: before === 'running' };
      });
    },
    async stop(domainName, signal): Promise<StopResult> {
      return withHypervisor('stop', async (hypervisor) => {
        const domain = await lookup(hypervisor, domainName);
        if (domain === undefined) return { forced: false, existed: false };
        let forced = false;
        if ((await stateOf(hypervisor, domain)) !== 'shutoff') {
          await hypervisor.domainShutdown(domain);
          const deadline = Date.now() + settings.LIBVIRT_SHUTDOWN_TIMEOUT_MS;
          while ((await stateOf(hypervisor, domain)) !== 'shutoff' && Date.now() < deadline && !signal?.aborted) {
            await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          }
          if ((await stateOf(hypervisor, domain)) !== 'shutoff') {
            forced = true;
            // The guest may power off between the check and the destroy; only a still-running domain is an error.
            await hypervisor.domainDestroy(domain).catch(async (error: unknown) => {
              if ((await stateOf(hypervisor, domain)) !== 'shutoff') throw error;
            });
          }
        }
        await hypervisor.domainUndefine(domain);
        return { forced, existed: true };
      });
    },
    async state(domainName) {
      return withHypervisor('state', async (hypervisor) => {
        const domain = await lookup(hypervisor, domainName);
        return domain === undefined ? 'missing' : stateOf(hypervisor, domain);
      });
    },
    async domainXml(domainName) {
      return withHypervisor('get-xml', async (hypervisor) => {
        const domain = await lookup(hypervisor, domainName);
        if (domain === undefined) throw new AppError('vm-instance-not-found', `libvirt knows no domain ${domainName}`);
        return hypervisor.domainGetXMLDesc(domain);
      });
    },
    credentialSnapshot: () => credentials.snapshot(),
    async reloadCredentials() {
      await credentials.reload();
      await drop();
    },
    async close() {
      await drop();
      await credentials.close();
    },
  };
}
