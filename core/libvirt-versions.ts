// The oldest libvirt that understands each isolation tier's domain XML, and the check against a connected libvirt.
import type { IsolationTier } from './config.ts';
import { AppError } from './errors.ts';

/** sev: <launchSecurity type='sev'> (4.5); sev-snp: type='sev-snp' (10.5); tdx: type='tdx' (11.6). */
export const minimumLibvirtVersion: Record<IsolationTier, string> = {
  none: '0.0.0',
  sev: '4.5.0',
  'sev-snp': '10.5.0',
  tdx: '11.6.0',
};

export function parseLibvirtVersion(text: string): [number, number, number] | undefined {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function compareVersions(a: string, b: string): number {
  const left = parseLibvirtVersion(a) ?? [0, 0, 0];
  const right = parseLibvirtVersion(b) ?? [0, 0, 0];
  for (let index = 0; index < 3; index += 1) {
    const delta = (left[index] ?? 0) - (right[index] ?? 0);
    if (delta !== 0) return delta;
  }
  return 0;
}

/** Throws unsupported-isolation-tier naming the version the tier needs when `connected` is older. */
export function assertTierSupported(tier: IsolationTier, connected: string | undefined): void {
  const needed = minimumLibvirtVersion[tier];
  if (connected === undefined || compareVersions(connected, needed) >= 0) return;
  throw new AppError('unsupported-isolation-tier', `isolation tier ${tier} needs libvirt >= ${needed}; the connected libvirt is ${connected}`, {
    extras: { isolation_tier: tier, required_libvirt: needed, connected_libvirt: connected },
  });
}
