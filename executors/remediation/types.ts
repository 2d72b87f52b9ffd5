// The one contract every remediation executor honours: run a plan under an AbortSignal, stream log events,
// and answer with an exit status plus a failure reason from the taxonomy (never by throwing).
import type { FailureReason } from '../../core/failure-taxonomy.ts';

export type LogStream = 'stdout' | 'stderr' | 'system';

export interface LogEvent {
  stream: LogStream;
  line: string;
  at: Date;
}

export interface ExecutionContext {
  /** Aborting it cancels the run: the executor stops its process tree or its HTTP calls and answers `cancelled`. */
  signal: AbortSignal;
  onLog(event: LogEvent): void;
  /** The run's owner: secrets resolve within it only. */
  ownerId: string;
  /** 1-based attempt number of this run. */
  attempt: number;
  /** Unique per attempt: a retried attempt is a new operation, a re-sent request inside one attempt is not. */
  idempotencyKey: string;
  /** Hard limit of the attempt; reaching it answers `failed` with reason `timeout`. */
  timeoutMs: number;
  /** Names a plan may template in (`{{run_id}}`, `{{vm_instance_id}}`, ...). */
  variables: Record<string, string>;
  /** A private, existing directory for this attempt (inventory files, default cwd). */
  workdir: string;
  /**
   * Resolves when the attempt is this worker's (its claim committed). Until then an executor may prepare (write
   * files, set up its sandbox) but nothing of the plan may run or be sent; when it rejects, nothing ever is, and the
   * answer is `cancelled` (the caller discards it). Absent: the attempt is claimed already.
   */
  gate?: Promise<void>;
}

export interface ExecutionResult {
  status: 'succeeded' | 'failed' | 'cancelled';
  exitCode: number | null;
  failureReason: FailureReason | null;
  detail: string;
  /** Small structured result (e.g. the cloud operation's final document), stored as an `output` artifact. */
  outputs?: Record<string, unknown>;
}

export interface RemediationExecutor<Plan> {
  execute(plan: Plan, context: ExecutionContext): Promise<ExecutionResult>;
}

export const succeeded = (detail: string, exitCode: number | null = 0, outputs?: Record<string, unknown>): ExecutionResult => ({
  status: 'succeeded',
  exitCode,
  failureReason: null,
  detail,
  ...(outputs ? { outputs } : {}),
});

export const failed = (failureReason: FailureReason, detail: string, exitCode: number | null = null): ExecutionResult => ({
  status: failureReason === 'cancelled' ? 'cancelled' : 'failed',
  exitCode,
  failureReason,
  detail,
});
