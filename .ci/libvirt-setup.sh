#!/usr/bin/env bash
# Prepares this host for libvirtd + QEMU without systemd (containers, CI): directories, the libvirt-qemu user,
# and qemu.conf settings that let root-run QEMU work without cgroups or a security driver. Idempotent.
# It does not start daemons: the real-boot test starts virtlogd/libvirtd itself and stops only those it started.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "libvirt-setup: must run as root (it edits /etc/libvirt/qemu.conf)" >&2
  exit 1
fi
for tool in libvirtd virtlogd virsh qemu-system-x86_64; do
  command -v "$tool" >/dev/null || { echo "libvirt-setup: $tool is missing; .ci/run installs libvirt-daemon, libvirt-daemon-driver-qemu, libvirt-clients, qemu-system-x86" >&2; exit 1; }
done

mkdir -p /var/log/libvirt/qemu /var/run/libvirt /var/lib/libvirt/qemu /var/cache/libvirt/qemu /etc/libvirt
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null || useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu

conf=/etc/libvirt/qemu.conf
touch "$conf"
# set KEY VALUE: replace an existing (possibly commented) assignment, else append one.
set_option() {
  local key=$1 value=$2
  if grep -Eq "^[#[:space:]]*${key}[[:space:]]*=" "$conf"; then
    sed -i -E "s|^[#[:space:]]*${key}[[:space:]]*=.*$|${key} = ${value}|" "$conf"
  else
    printf '%s = %s\n' "$key" "$value" >>"$conf"
  fi
}
set_option user '"root"'
set_option group '"root"'
set_option security_driver '"none"'
set_option cgroup_controllers '[ ]'
echo "libvirt-setup: $conf ready"
