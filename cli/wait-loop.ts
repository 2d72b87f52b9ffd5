// The one polling loop behind every `--wait`: reads until `done`, tells each change of state (and, while
// nothing changes, every few seconds how long it has waited) to `progress` (the commands write it to stderr),
// and gives up with WaitTimeout after `timeoutSeconds` (0 waits for ever).
export class WaitTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeout';
  }
}

/** Exit code of a `--wait` that timed out, as timeout(1) answers. */
export const WAIT_TIMEOUT_EXIT = 124;

export interface WaitSpec<T> {
  /** What is waited for, e.g. "attestation job attest-…". */
  what: string;
  read(): Promise<T>;
  done(value: T): boolean;
  /** A short label of the current state, shown in progress lines. */
  state(value: T): string;
  /** Said when it times out, e.g. which worker should be running. */
  hint?(value: T): string | undefined;
  timeoutSeconds: number;
  progress(line: string): void;
  intervalMs?: number;
  /** How often an unchanged state is reported again. */
  reminderMs?: number;
}

export async function waitUntil<T>(spec: WaitSpec<T>): Promise<T> {
  const started = Date.now();
  const deadline = spec.timeoutSeconds > 0 ? started + spec.timeoutSeconds * 1000 : Infinity;
  let told: string | undefined;
  let toldAt = started;
  for (;;) {
    const value = await spec.read();
    if (spec.done(value)) return value;
    const state = spec.state(value);
    const now = Date.now();
    const seconds = Math.round((now - started) / 1000);
    if (state !== told) spec.progress(`waiting for ${spec.what}: ${state}\n`);
    else if (now - toldAt >= (spec.reminderMs ?? 5000)) spec.progress(`waiting for ${spec.what}: still ${state} after ${seconds}s\n`);
    if (state !== told || now - toldAt >= (spec.reminderMs ?? 5000)) [told, toldAt] = [state, now];
    if (now >= deadline) {
      const hint = spec.hint?.(value);
      throw new WaitTimeout(`wait-timeout: ${spec.what} is still ${state} after ${spec.timeoutSeconds}s${hint ? `; ${hint}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(spec.intervalMs ?? 250, Math.max(0, deadline - now))));
  }
}
