// Starts virtlogd + libvirtd for the real-boot test when they are not already answering, and stops only those it
// started, by pid. Host preparation (qemu.conf, users, dirs) is .ci/libvirt-setup.sh.
import { execa, type ResultPromise } from 'execa';
import { readdir, readFile } from 'node:fs/promises';

const SYSTEM_URI = 'qemu:///system';

async function answering(): Promise<boolean> {
  const result = await execa('virsh', ['-c', SYSTEM_URI, 'version'], { reject: false, timeout: 5_000, stdin: 'ignore' });
  return result.exitCode === 0;
}

/** Whether a process with this command name runs (read from /proc: no procps needed). */
async function running(name: string): Promise<boolean> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === name) return true;
  }
  return false;
}

export interface Daemons {
  started: string[];
  stop(): Promise<void>;
}

export async function ensureLibvirtDaemons(): Promise<Daemons> {
  await execa('bash', ['.ci/libvirt-setup.sh']);
  const children: { name: string; process: ResultPromise }[] = [];
  for (const name of ['virtlogd', 'libvirtd']) {
    if (await running(name)) continue;
    // Foreground mode keeps the daemon our child, so its pid is the one we stop.
    const child = execa(name, [], { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', cleanup: true });
    children.push({ name, process: child });
  }
  const deadline = Date.now() + 30_000;
  while (!(await answering())) {
    if (Date.now() > deadline) throw new Error(`libvirtd did not answer on ${SYSTEM_URI} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    started: children.map((child) => child.name),
    async stop() {
      for (const child of children.reverse()) {
        if (child.process.pid !== undefined) process.kill(child.process.pid, 'SIGTERM');
        await child.process;
      }
    },
  };
}
