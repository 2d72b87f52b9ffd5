import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { isDomainNotFound, isLaunchSecurityRejection, toLibvirtError } from '../../executors/vm/libvirt-errors.ts';

// The binding reports every libvirt error with code -1, so these are real libvirt messages, verbatim.
describe('libvirt error classification', () => {
  it.each([
    ['authentication failed: authentication failed', 'libvirt-auth-failed'],
    ["authentication unavailable: no polkit agent available to authenticate action 'org.libvirt.unix.manage'", 'libvirt-auth-failed'],
    [
      'authentication failed: Failed to start SASL negotiation: -20 (SASL(-13): user not found: unable to canonify user and get auxprops)',
      'libvirt-auth-failed',
    ],
    ["Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied", 'libvirt-auth-failed'],
    ["Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory", 'libvirt-unavailable'],
    ["Failed to connect socket to '/var/run/libvirt/libvirt-sock': Connection refused", 'libvirt-unavailable'],
    ['End of file while reading data: Input/output error', 'libvirt-unavailable'],
    ['Cannot recv data: Connection reset by peer', 'libvirt-unavailable'],
    ['Cannot write data: Broken pipe', 'libvirt-unavailable'],
    // A kept connection whose libvirtd restarted: reconnecting is the cure, so it must be retried, not fatal.
    ['internal error: client socket is closed', 'libvirt-unavailable'],
    ["operation failed: domain 'mcp-1-abc' already exists with uuid 0b5c…", 'libvirt-error'],
    ['XML error: Invalid value for attribute', 'libvirt-error'],
  ])('classifies "%s" as %s', (message, code) => {
    const mapped = toLibvirtError('launch', new Error(message));
    expect(mapped).toMatchObject({ code });
    expect(mapped.cause).toBeInstanceOf(Error);
    expect(mapped.detail).toContain(message);
  });

  it('passes an AppError through untouched', () => {
    const original = new AppError('unsupported-isolation-tier', 'too old');
    expect(toLibvirtError('launch', original)).toBe(original);
  });

  it('recognises a missing domain and a launch security rejection', () => {
    expect(isDomainNotFound(new Error("Domain not found: no domain with matching name 'mcp-1-abc'"))).toBe(true);
    expect(isDomainNotFound(new Error('internal error: client socket is closed'))).toBe(false);
    expect(isLaunchSecurityRejection(new Error("unsupported configuration: invalid value for launchSecurity type 'sev-snp'"))).toBe(true);
    expect(isLaunchSecurityRejection(new AppError('libvirt-error', 'launchSecurity'))).toBe(false);
  });
});
