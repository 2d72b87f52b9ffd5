import { describe, expect, it } from 'vitest';
import { sandboxArgv, type SandboxSpec } from '../../core/sandbox-argv.ts';

const spec: SandboxSpec = { bwrap: '/usr/bin/bwrap', uid: 65534, gid: 65534, workdir: '/w/run-1/attempt-1', cwd: '/w/run-1/attempt-1', network: 'none', env: { PATH: '/usr/bin' } };
const argv = (over: Partial<SandboxSpec> = {}) => sandboxArgv({ ...spec, ...over }, '/bin/sh', ['-c', 'true']);
/** Every host path the sandbox mounts (source of each bind). */
const sources = (args: string[]) => args.flatMap((arg, i) => (['--ro-bind', '--ro-bind-try', '--bind'].includes(arg) ? [args[i + 1] as string] : []));

describe('sandboxArgv', () => {
  it('starts bwrap as the sandbox user and keeps every namespace but the network for egress', () => {
    const { file, args, uid, gid } = argv();
    expect({ file, uid, gid }).toEqual({ file: '/usr/bin/bwrap', uid: 65534, gid: 65534 });
    for (const flag of ['--unshare-user', '--unshare-pid', '--unshare-net', '--die-with-parent', '--new-session', '--clearenv', '--disable-userns']) expect(args).toContain(flag);
    expect(argv({ network: 'loopback' }).args).toContain('--unshare-net');
    expect(argv({ network: 'egress' }).args).not.toContain('--unshare-net');
    expect(args.slice(-3)).toEqual(['/bin/sh', '-c', 'true']);
  });

  it('binds only system directories read-only and the attempt directory read-write', () => {
    const { args } = argv({ readOnly: ['/srv/playbooks'] });
    expect(args[args.indexOf('--bind') + 1]).toBe(spec.workdir);
    expect(args.filter((arg) => arg === '--bind')).toHaveLength(1);
    for (const source of sources(args)) expect(source).toMatch(/^(\/usr|\/bin|\/sbin|\/lib\w*|\/etc\/[a-z0-9.-]+|\/srv\/playbooks|\/w\/run-1\/attempt-1)$/);
    for (const secret of ['/root', '/run', '/var', '/etc/shadow', '/proc', '/home', '/tmp', '/work']) expect(sources(args)).not.toContain(secret);
    expect(args).toEqual(expect.arrayContaining(['--proc', '/proc', '--tmpfs', '/tmp']));
  });
});
