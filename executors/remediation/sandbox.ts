// The remediation sandbox on this host: prepares an attempt's work directory for the sandbox user, runs a
// command through its sandboxed argv (core/sandbox-argv.ts), and probes once at worker startup that all of it
// works. There is no unsandboxed fallback: a host that fails the probe refuses to start the worker.
import { lchownSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../../core/config.ts';
import { SANDBOX_PATH, sandboxArgv, type NetworkPolicy } from '../../core/sandbox-argv.ts';
import { prepareWorkRoot } from './attempt-dir.ts';
import { GATE_FD, runProcess, type ProcessOutcome } from './run-process.ts';
import { failed, type ExecutionContext, type ExecutionResult } from './types.ts';

export interface SandboxOptions {
  bwrap: string;
  uid: number;
  gid: number;
  /** Whether a playbook may ask for `network: egress` (the host's network namespace, loopback services included). */
  allowEgress: boolean;
}

export const sandboxOptions = (config: Config): SandboxOptions => ({
  bwrap: config.REMEDIATION_SANDBOX_BWRAP,
  uid: config.REMEDIATION_SANDBOX_UID,
  gid: config.REMEDIATION_SANDBOX_GID,
  allowEgress: config.REMEDIATION_SANDBOX_ALLOW_EGRESS,
});

/** The only worker variables a sandboxed command sees; HOME and TMPDIR point at its private /tmp. */
const passedThrough = ['LANG', 'LC_ALL', 'TZ'] as const;

export interface SandboxedCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  workdir: string;
  cwd: string;
  network: NetworkPolicy;
  readOnly?: string[];
}

export interface SandboxRun {
  context: Pick<ExecutionContext, 'signal' | 'onLog' | 'timeoutMs' | 'gate'>;
  outputCapBytes: number;
  killGraceMs?: number;
}

/**
 * Hand the attempt's directory (and what the executor wrote into it) to the sandbox user. A symlink is chowned
 * itself and never descended into (`readdir` with `recursive` would follow it, and `lchown` of a path through it
 * would change the target's owner).
 */
function chownTree(dir: string, uid: number, gid: number): void {
  // Synchronous for the reason attempt-dir.ts gives: a fresh attempt directory holds a handful of entries at most.
  lchownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const inside = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(inside, uid, gid);
    else lchownSync(inside, uid, gid);
  }
}

/**
 * Run `command` in the sandbox, bwrap started as the sandbox user (core/sandbox-argv.ts). bwrap starts with an empty environment (bwrap's own /proc/1/environ is
 * visible inside); the command's environment is set by bwrap. bwrap reports the command's exit code on fd 3 once
 * it ran; without that report the sandbox itself failed (a bind, the exec of a missing command): `spawnError`.
 *
 * With `context.gate` the sandbox is set up at once and the command held at its start gate until the gate resolves
 * (the dispatcher's claim committed): bwrap waits for a byte on GATE_FD after its mounts and before it changes into
 * the work directory, and the directory stays the worker's own (0700, root) until the gate opens. Two conditions,
 * so that the worker's death cannot open it: the byte's pipe then reaches EOF, which bwrap reads as a byte, but
 * its `chdir` into a directory the sandbox user cannot enter fails, and the command never starts. A rejected gate
 * kills the sandbox, nothing having run.
 */
export async function runSandboxed(options: SandboxOptions, command: SandboxedCommand, run: SandboxRun): Promise<ProcessOutcome> {
  const { gate } = run.context;
  if (gate === undefined) chownTree(command.workdir, options.uid, options.gid);
  const env: Record<string, string> = { PATH: SANDBOX_PATH, HOME: '/tmp', TMPDIR: '/tmp' };
  for (const name of passedThrough) if (process.env[name] !== undefined) env[name] = process.env[name];
  Object.assign(env, command.env);
  const { workdir, cwd, network, readOnly } = command;
  const { uid, gid, ...argv } = sandboxArgv({ ...options, workdir, cwd, network, env, statusFd: 3, ...(gate ? { blockFd: GATE_FD } : {}), ...(readOnly ? { readOnly } : {}) }, command.command, command.args);
  // The hand-over is the gate's second half: a failed chown keeps it shut and is this call's error, as without one.
  let handOver: Error | undefined;
  const opened = gate?.then(() => {
    try {
      chownTree(command.workdir, options.uid, options.gid);
    } catch (error) {
      handOver = error as Error;
      throw error;
    }
  });
  const outcome = await runProcess({
    ...argv,
    user: { uid, gid },
    cwd: workdir,
    timeoutMs: run.context.timeoutMs,
    signal: run.context.signal,
    outputCapBytes: run.outputCapBytes,
    onLog: run.context.onLog,
    statusPipe: true,
    ...(opened ? { gate: opened } : {}),
    ...(run.killGraceMs === undefined ? {} : { killGraceMs: run.killGraceMs }),
  });
  if (handOver) throw handOver;
  const ran = /"exit-code"/.test(outcome.status);
  // bwrap reports a failed setup by exiting 1; killed by a signal (its launcher lost), it may have started the command.
  if (ran || outcome.cancelled || outcome.timedOut || outcome.spawnError !== null || outcome.signal !== null) return outcome;
  return { ...outcome, spawnError: 'the sandbox could not start the command' };
}

/** `egress` shares the host's network; a worker runs it only when its operator allowed it. */
export function networkRefusal(options: SandboxOptions, network: NetworkPolicy): ExecutionResult | undefined {
  if (network !== 'egress' || options.allowEgress) return undefined;
  return failed('policy-denied', 'network: egress is not allowed on this worker (REMEDIATION_SANDBOX_ALLOW_EGRESS is off)');
}

export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
}

/**
 * Check `workRoot` (REMEDIATION_WORKDIR, see attempt-dir.ts), run `id -u; id -g` in a real sandbox (private network,
 * the sandbox user) and check the answer. Throws
 * SandboxUnavailableError saying what is missing; the shell and Ansible executors must not start without it.
 */
export async function probeSandbox(options: SandboxOptions, workRoot?: string): Promise<void> {
  const fail = (why: string): never => {
    throw new SandboxUnavailableError(
      `the remediation sandbox is unavailable on this host: ${why}. Shell and Ansible playbooks run only inside it ` +
        '(bubblewrap at REMEDIATION_SANDBOX_BWRAP, unprivileged user namespaces, and a worker running as root ' +
        'so it can switch to REMEDIATION_SANDBOX_UID); see docs/sandbox.md',
    );
  };
  if (process.getuid?.() === options.uid) fail(`REMEDIATION_SANDBOX_UID ${options.uid} is the worker's own uid`);
  // Started as the sandbox user, a setuid or setgid bwrap would run privileged: the sandbox relies on the unprivileged mode.
  const mode = statSync(options.bwrap, { throwIfNoEntry: false })?.mode ?? 0;
  if ((mode & 0o6000) !== 0) fail(`${options.bwrap} is setuid or setgid; the sandbox runs bubblewrap unprivileged only`);
  // Attempt directories are made under it and handed to the sandbox user: nobody else may be able to plant paths there.
  if (workRoot !== undefined) await prepareWorkRoot(workRoot).catch((error: unknown) => fail(`REMEDIATION_WORKDIR ${workRoot} is not safe for attempt directories (${(error as Error).message})`));
  const workdir = await mkdtemp(path.join(tmpdir(), 'remediation-sandbox-probe-'));
  try {
    const lines: string[] = [];
    const context = { signal: new AbortController().signal, timeoutMs: 10_000, onLog: (event: { line: string }) => lines.push(event.line) };
    const status = 'grep -E "^(Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):" /proc/self/status';
    const probe = { command: '/bin/sh', args: ['-c', `id -u; id -g; ${status}`], env: {}, workdir, cwd: workdir, network: 'none' as const };
    const outcome = await runSandboxed(options, probe, { context, outputCapBytes: 64 * 1024 }).catch((error: unknown) => fail((error as Error).message));
    if (outcome.spawnError !== null) fail(`${options.bwrap} did not run the probe (${outcome.spawnError})${lines.length > 0 ? `: ${lines.join(' | ').slice(0, 500)}` : ''}`);
    if (outcome.exitCode !== 0) fail(`the probe exited ${outcome.exitCode ?? outcome.signal}: ${lines.join(' | ').slice(0, 500)}`);
    const [uid, gid, ...held] = lines.map((line) => line.replace(/\s+/g, ' ').trim());
    if (`${uid} ${gid}` !== `${options.uid} ${options.gid}`) fail(`the probe ran as ${uid} ${gid}, not ${options.uid} ${options.gid}`);
    // No supplementary groups, every capability set empty, no way to gain privileges by exec.
    const none = '0000000000000000';
    const expected = ['Groups:', `CapInh: ${none}`, `CapPrm: ${none}`, `CapEff: ${none}`, `CapBnd: ${none}`, `CapAmb: ${none}`, 'NoNewPrivs: 1'];
    if (held.join('|') !== expected.join('|')) fail(`the probe kept privileges it must not have: ${held.join(', ')}`);
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}
