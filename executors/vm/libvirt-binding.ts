// Loads the optional native binding (@unraid/libvirt) on demand, typed by the small surface we use.
import { AppError } from '../../core/errors.ts';

export interface NativeDomain {
  readonly __domain?: never;
}

export interface NativeHypervisor {
  connectOpen(): Promise<void>;
  connectClose(): Promise<void>;
  domainDefineXML(xml: string): Promise<NativeDomain>;
  domainLookupByName(name: string): Promise<NativeDomain>;
  domainCreate(domain: NativeDomain): Promise<void>;
  domainShutdown(domain: NativeDomain): Promise<void>;
  domainDestroy(domain: NativeDomain): Promise<void>;
  domainUndefine(domain: NativeDomain): Promise<void>;
  domainGetInfo(domain: NativeDomain): Promise<{ state: number; maxMem: number; memory: number; nrVirtCpu: number }>;
  domainGetXMLDesc(domain: NativeDomain, flags?: number): Promise<string>;
}

export interface LibvirtBinding {
  Hypervisor: new (options: { uri: string }) => NativeHypervisor;
}

export const BINDING_INSTALL_HINT =
  'install the optional native binding: apt-get install libvirt-dev build-essential python3 && npm install @unraid/libvirt ' +
  '(it builds with node-gyp; package.json allowScripts permits its install script)';

// A variable specifier keeps TypeScript from requiring the optional package's types at build time.
const bindingPackage = '@unraid/libvirt';

export async function loadLibvirtBinding(specifier: string = bindingPackage): Promise<LibvirtBinding> {
  try {
    const module = (await import(specifier)) as Partial<LibvirtBinding>;
    if (typeof module.Hypervisor !== 'function') throw new Error('@unraid/libvirt exports no Hypervisor');
    return module as LibvirtBinding;
  } catch (error) {
    throw new AppError('libvirt-binding-missing', `VM_PROVISIONER_DRIVER=libvirt needs @unraid/libvirt, which is not installed or failed to load; ${BINDING_INSTALL_HINT}`, {
      cause: error,
    });
  }
}
