// The messages between a process and its process launcher (launcher.ts, launcher-main.ts), over Node's IPC channel.
// Ids are the requester's; the launcher answers each spawn with its stdout and stderr (as handles), or an error,
// then with its exit.

export type LauncherRequest =
  | {
      op: 'spawn';
      id: number;
      file: string;
      args: string[];
      cwd: string;
      /** A pipe on fd 3, whose text (at most 4 KiB) comes back with the exit. */
      statusPipe: boolean;
      /** A pipe on fd 4 (GATE_FD) that gets one byte on `open`. */
      gate: boolean;
      /** Switch the child to this user and group, without supplementary groups, before its exec (the sandbox user). */
      user?: { uid: number; gid: number };
    }
  /** Write the gate's byte. */
  | { op: 'open'; id: number }
  /** The gate will never open: kill the process group, nothing having run behind it. */
  | { op: 'shut'; id: number }
  /** SIGTERM to the process group, SIGKILL after `graceMs` if it is still there. */
  | { op: 'stop'; id: number; graceMs: number };

export interface LaunchedExit {
  code: number | null;
  signal: string | null;
  /** What the child wrote to its status pipe. */
  status: string;
  /** Whether a stop reached the process while it ran (one that had exited by itself ran to its end). */
  stoppedRunning: boolean;
}

export type LauncherReply =
  | { id: number; kind: 'stdout'; pid: number }
  | { id: number; kind: 'stderr' }
  | { id: number; kind: 'error'; code: string }
  | ({ id: number; kind: 'exit' } & LaunchedExit);

/** The child's descriptor the start gate's byte arrives on (bwrap's --block-fd). */
export const GATE_FD = 4;
