import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { problemsFor } from '../support/config-problems.ts';

describe('libvirt configuration', () => {
  it.each([
    [{ VM_PROVISIONER_DRIVER: 'xen' }, 'VM_PROVISIONER_DRIVER: must be one of http, libvirt'],
    [{ VM_HTTP_PROVISIONER_URL: 'ftp://h' }, 'VM_HTTP_PROVISIONER_URL: must be an http(s):// URL'],
    [{ VM_HTTP_PROVISIONER_TIMEOUT_MS: '5' }, 'VM_HTTP_PROVISIONER_TIMEOUT_MS: must be at least 100'],
    [{ LIBVIRT_DEFAULT_ISOLATION_TIER: 'sgx' }, 'LIBVIRT_DEFAULT_ISOLATION_TIER: must be one of none, sev, sev-snp, tdx'],
    [{ LIBVIRT_DEFAULT_MEMORY_MIB: '8' }, 'LIBVIRT_DEFAULT_MEMORY_MIB: must be at least 16'],
    [{ LIBVIRT_DEFAULT_VCPU_COUNT: 'two' }, 'LIBVIRT_DEFAULT_VCPU_COUNT: must be a whole number'],
    [{ LIBVIRT_LOG_TAIL: '0' }, 'LIBVIRT_LOG_TAIL: must be at least 1'],
    [{ LIBVIRT_CONSOLE_SOURCE: 'vnc' }, 'LIBVIRT_CONSOLE_SOURCE: must be one of pty, tcp, unix, file'],
    [{ LIBVIRT_SHUTDOWN_TIMEOUT_MS: '-1' }, 'LIBVIRT_SHUTDOWN_TIMEOUT_MS: must be at least 0'],
    [{ LIBVIRT_DOMAIN_TYPE: 'xen' }, 'LIBVIRT_DOMAIN_TYPE: must be one of kvm, qemu'],
    [{ LIBVIRT_CONSOLE_TCP_PORT_BASE: '80' }, 'LIBVIRT_CONSOLE_TCP_PORT_BASE: must be at least 1024'],
    [{ LIBVIRT_NETWORK_TEMPLATE: '{"type":' }, 'LIBVIRT_NETWORK_TEMPLATE: is not valid JSON'],
    [{ LIBVIRT_NETWORK_TEMPLATE: '{"type":"wifi"}' }, 'LIBVIRT_NETWORK_TEMPLATE: type must be one of network, bridge, user, direct'],
    [{ LIBVIRT_NETWORK_TEMPLATE: '{"mac":"nope"}' }, 'LIBVIRT_NETWORK_TEMPLATE: mac must be a MAC address like 52:54:00:12:34:56'],
    [{ LIBVIRT_VOLUME_TEMPLATE: '{"path":"relative.qcow2"}' }, 'LIBVIRT_VOLUME_TEMPLATE: path must be an absolute path'],
    [{ LIBVIRT_VOLUME_TEMPLATE: '{"path":"/v","bus":"ide"}' }, 'LIBVIRT_VOLUME_TEMPLATE: bus must be one of virtio, sata, scsi'],
    [{ LIBVIRT_VOLUME_TEMPLATE: '{}' }, 'LIBVIRT_VOLUME_TEMPLATE: path is required'],
    [{ LIBVIRT_GPU_POLICY: '{"enabled":true,"devices":["65:00.0"]}' }, 'LIBVIRT_GPU_POLICY: devices.0 must be a PCI address like 0000:65:00.0'],
    [{ LIBVIRT_GPU_POLICY: '{"enabled":true,"vendor":"x"}' }, 'LIBVIRT_GPU_POLICY: has unknown field(s) vendor'],
    [{ LIBVIRT_DIRECT_BOOT: '{"kernel":"vmlinuz"}' }, 'LIBVIRT_DIRECT_BOOT: kernel must be an absolute path'],
    [{ LIBVIRT_PASSWORD: 'a', LIBVIRT_PASSWORD_FILE: '/run/pw' }, 'LIBVIRT_PASSWORD: set either LIBVIRT_PASSWORD or LIBVIRT_PASSWORD_FILE, not both'],
  ])('rejects %j', (env, message) => {
    expect(problemsFor(env)).toContain(message);
  });

  it('applies template defaults to valid JSON', () => {
    const config = parseConfig({ LIBVIRT_VOLUME_TEMPLATE: '{"path":"/v.img","driver":"raw"}', LIBVIRT_GPU_POLICY: '{"enabled":false}' });
    expect(config.LIBVIRT_VOLUME_TEMPLATE).toEqual({ path: '/v.img', driver: 'raw', bus: 'virtio', target: 'vda', readonly: false });
    expect(config.LIBVIRT_GPU_POLICY).toEqual({ enabled: false, devices: [], managed: true });
  });
});
