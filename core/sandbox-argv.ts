// The argv that runs one tenant command inside the remediation sandbox: an unprivileged `bwrap`, started as the
// sandbox user, gives the command its own user, PID, IPC, UTS and (unless the playbook asks for egress) network
// namespace, a fresh /proc, a private /tmp and only its work directory writable.
// Pure: which binaries exist and whether they work is the startup probe's business (executors/remediation/sandbox.ts).

export type NetworkPolicy = 'none' | 'loopback' | 'egress';

export interface SandboxSpec {
  bwrap: string;
  uid: number;
  gid: number;
  /** The attempt's work directory: bound read-write at the same path, the only writable host directory. */
  workdir: string;
  /** Where the command starts; inside `workdir`. */
  cwd: string;
  network: NetworkPolicy;
  /** The command's whole environment (bwrap clears everything else). */
  env: Record<string, string>;
  /** Extra host directories bound read-only at the same path (the Ansible playbook root). */
  readOnly?: string[];
  /** An open descriptor bwrap reports on (--json-status-fd): the command's pid once started, its exit code once it ran. */
  statusFd?: number;
  /**
   * An open descriptor bwrap reads one byte from once the sandbox is set up, before it changes into `cwd` and
   * execs the command (--block-fd): the start gate (executors/remediation/sandbox.ts).
   */
  blockFd?: number;
}

/** System directories a shell or Ansible needs; `-try` because merged-/usr and split layouts differ. */
const systemDirs = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * /etc pieces, each world-readable on a stock host and none of them secret: user and group names (python's pwd
 * module), the loader cache, the alternatives symlink farm /usr/bin points into, time zone, name resolution and
 * CA certificates (used only with `egress`). Never /etc/shadow, never the platform's configuration.
 */
const etcFiles = [
  '/etc/passwd', '/etc/group', '/etc/nsswitch.conf', '/etc/ld.so.cache', '/etc/alternatives', '/etc/localtime',
  '/etc/hosts', '/etc/resolv.conf', '/etc/ssl', '/etc/ca-certificates', '/etc/python3', '/etc/python3.11',
];

/** PATH inside the sandbox: the system's, never the worker's (which may point into /root or the repository). */
export const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * What to start, and as whom. The process starter switches the child to `uid`/`gid` before it execs bwrap (real,
 * effective and saved ids, no supplementary groups: the kernel then clears the permitted, effective and ambient
 * capability sets); bwrap, not setuid, sets no_new_privs before it starts anything and runs the command with every capability set
 * empty, the bounding set included (`test/executors/shell.test.ts` reads them inside).
 */
export function sandboxArgv(spec: SandboxSpec, command: string, args: string[]): { file: string; args: string[]; uid: number; gid: number } {
  const binds = [
    ...systemDirs.flatMap((dir) => ['--ro-bind-try', dir, dir]),
    ...etcFiles.flatMap((file) => ['--ro-bind-try', file, file]),
    '--proc', '/proc',
    '--dev', '/dev',
    '--tmpfs', '/tmp',
    // After the tmpfs: a work directory or playbook root under /tmp must not be hidden by it.
    ...(spec.readOnly ?? []).flatMap((dir) => ['--ro-bind', dir, dir]),
    '--bind', spec.workdir, spec.workdir,
  ];
  const env = Object.entries(spec.env).flatMap(([name, value]) => ['--setenv', name, value]);
  const bwrap = [
    '--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    // none and loopback both get a private network namespace whose only interface is its own loopback.
    ...(spec.network === 'egress' ? [] : ['--unshare-net']),
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--hostname', 'remediation-sandbox',
    ...(spec.statusFd === undefined ? [] : ['--json-status-fd', String(spec.statusFd)]),
    ...(spec.blockFd === undefined ? [] : ['--block-fd', String(spec.blockFd)]),
    '--clearenv', ...env,
    ...binds,
    '--chdir', spec.cwd,
    '--',
    command,
    ...args,
  ];
  return { file: spec.bwrap, args: bwrap, uid: spec.uid, gid: spec.gid };
}
