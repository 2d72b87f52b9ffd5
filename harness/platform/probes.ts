// Evidence that a fault took effect and was healed: whether something accepts a connection at a TCP port or a
// unix socket right now, and whether an HTTP endpoint answers 2xx.
import { connect } from 'node:net';

export function accepts(target: { port: number } | { path: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = 'path' in target ? connect({ path: target.path }) : connect({ host: '127.0.0.1', port: target.port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function answersOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** Poll `probe` until it answers `want` (true: up, false: down), at most `timeoutMs`; answers whether it did. */
export async function until(probe: () => Promise<boolean>, want: boolean, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await probe()) === want) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
