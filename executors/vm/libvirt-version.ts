// Asks the connected libvirt for its version through virsh (the binding has no version call).
import { execa } from 'execa';
import { parseLibvirtVersion } from '../../core/libvirt-versions.ts';

/** The daemon's version when there is one (remote URIs), else the library's (in-process drivers); undefined if virsh is missing. */
export async function probeLibvirtVersion(uri: string, signal?: AbortSignal): Promise<string | undefined> {
  const result = await execa('virsh', ['-c', uri, 'version'], { reject: false, timeout: 10_000, stdin: 'ignore', ...(signal ? { cancelSignal: signal } : {}) });
  if (result.exitCode !== 0) return undefined;
  const daemon = /Running against daemon:\s*(\S+)/.exec(result.stdout)?.[1];
  const library = /Using library:\s*libvirt\s*(\S+)/.exec(result.stdout)?.[1];
  const version = daemon ?? library;
  return version !== undefined && parseLibvirtVersion(version) !== undefined ? version : undefined;
}
