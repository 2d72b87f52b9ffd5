// Maps how a child process ended onto the failure taxonomy; shared by the shell and Ansible executors.
import type { FailureReason } from '../../core/failure-taxonomy.ts';
import type { ProcessOutcome } from './run-process.ts';
import { failed, succeeded, type ExecutionResult } from './types.ts';

/** sysexits.h codes a script can use to say what kind of failure it hit. */
const sysexits: Record<number, FailureReason> = {
  69: 'dependency-outage', // EX_UNAVAILABLE
  75: 'dependency-outage', // EX_TEMPFAIL
  77: 'policy-denied', // EX_NOPERM
};

export function toExecutionResult(
  what: string,
  outcome: ProcessOutcome,
  exitReasons: Record<number, FailureReason> = sysexits,
): ExecutionResult {
  if (outcome.cancelled) return failed('cancelled', `${what} was cancelled; its process group was killed`, outcome.exitCode);
  if (outcome.timedOut) return failed('timeout', `${what} reached its time limit; its process group was killed`, outcome.exitCode);
  if (outcome.spawnError !== null) return failed('executor-unavailable', `${what} could not start (${outcome.spawnError})`);
  if (outcome.exitCode === 0) return succeeded(`${what} exited 0${outcome.truncated ? ' (output truncated)' : ''}`);
  if (outcome.exitCode === null) return failed('other', `${what} was killed by ${outcome.signal ?? 'a signal'}`);
  const reason = exitReasons[outcome.exitCode] ?? 'playbook-bug';
  return failed(reason, `${what} exited ${outcome.exitCode}`, outcome.exitCode);
}
