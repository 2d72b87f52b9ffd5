// Builds the real-boot test's guest: a busybox initramfs whose /init prints a known line on the serial console.
import { execa } from 'execa';
import { chmod, copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

export async function findCloudKernel(): Promise<string> {
  const kernels = (await readdir('/boot')).filter((name) => /^vmlinuz-.*-cloud-amd64$/.test(name)).sort();
  const kernel = kernels.at(-1);
  if (kernel === undefined) throw new Error('no /boot/vmlinuz-*-cloud-amd64; .ci/run installs linux-image-cloud-amd64');
  return join('/boot', kernel);
}

/** Writes `<dir>/initrd.gz`: /init mounts /proc, prints `line` and then idles until it is stopped. */
export async function buildInitramfs(dir: string, line: string): Promise<string> {
  const root = join(dir, 'root');
  for (const sub of ['bin', 'proc', 'dev', 'sys']) await mkdir(join(root, sub), { recursive: true });
  await copyFile('/bin/busybox', join(root, 'bin', 'busybox'));
  const init = [
    '#!/bin/busybox sh',
    '/bin/busybox mount -t proc proc /proc',
    `/bin/busybox echo "${line}"`,
    // Ignores ACPI power-button requests on purpose, so stopping exercises the shutdown timeout + destroy path.
    'while true; do /bin/busybox sleep 60; done',
    '',
  ].join('\n');
  await writeFile(join(root, 'init'), init);
  await chmod(join(root, 'init'), 0o755);
  const files = (await execa('find', ['.'], { cwd: root })).stdout;
  const archive = await execa('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: root, input: `${files}\n`, encoding: 'buffer' });
  const path = join(dir, 'initrd.gz');
  await writeFile(path, await promisify(gzip)(archive.stdout));
  return path;
}
