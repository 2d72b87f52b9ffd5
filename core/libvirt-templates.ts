// Shapes of the JSON templates operators put in LIBVIRT_NETWORK_TEMPLATE, LIBVIRT_VOLUME_TEMPLATE and LIBVIRT_GPU_POLICY.
import { z } from 'zod';

const deviceName = z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'may hold only letters, digits, _ . and -');

export const libvirtNetworkTemplate = z.strictObject({
  type: z.enum(['network', 'bridge', 'user', 'direct']).default('network'),
  source: deviceName.optional(),
  model: z.enum(['virtio', 'e1000', 'e1000e', 'rtl8139']).default('virtio'),
  mac: z
    .string()
    .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i, 'must be a MAC address like 52:54:00:12:34:56')
    .optional(),
});
export type LibvirtNetworkTemplate = z.infer<typeof libvirtNetworkTemplate>;

export const libvirtVolumeTemplate = z.strictObject({
  path: z.string().startsWith('/', 'must be an absolute path'),
  driver: z.enum(['qcow2', 'raw']).default('qcow2'),
  bus: z.enum(['virtio', 'sata', 'scsi']).default('virtio'),
  target: deviceName.default('vda'),
  readonly: z.boolean().default(false),
});
export type LibvirtVolumeTemplate = z.infer<typeof libvirtVolumeTemplate>;

const pciAddress = z
  .string()
  .regex(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i, 'must be a PCI address like 0000:65:00.0');

export const libvirtGpuPolicy = z.strictObject({
  enabled: z.boolean(),
  devices: z.array(pciAddress).default([]),
  managed: z.boolean().default(true),
});
export type LibvirtGpuPolicy = z.infer<typeof libvirtGpuPolicy>;

/** Direct kernel boot (LIBVIRT_DIRECT_BOOT): a kernel, an optional initramfs and a kernel command line. */
export const libvirtDirectBoot = z.strictObject({
  kernel: z.string().startsWith('/', 'must be an absolute path'),
  initrd: z.string().startsWith('/', 'must be an absolute path').optional(),
  cmdline: z.string().max(4096).default('console=ttyS0'),
});
export type LibvirtDirectBoot = z.infer<typeof libvirtDirectBoot>;
