// vm-launch processor: runs the placement gate over the trust registry, then launches (or stops) the server's VM
// through the configured provisioner and records the instance. Safe to re-run: the domain name derives from the
// request, the provisioner treats an existing domain as already launched, and finished steps are skipped.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Config } from '../core/config.ts';
import { isAppError } from '../core/errors.ts';
import { domainNameFor, isLaunchedDomain } from '../core/vm-domain-name.ts';
import type { VmProvisioner } from '../executors/vm/provisioner.ts';
import type { vmLaunchJob } from '../queues/vm-launch.ts';
import type { Sql } from '../sql/db.ts';
import { decideAndRecord } from '../sql/placement-decisions.ts';
import { findServer, setServerPlacement } from '../sql/servers.ts';
import { transact, type Db, type UnitOfWork } from '../sql/transact.ts';
import { findLatestInstanceWithTrust, setInstanceStatus } from '../sql/vm-launch-records.ts';
import { findCurrentVmInstance, insertVmInstance } from '../sql/vm-instances.ts';
import { retireFailedInstance } from './vm-launch-retire.ts';

type VmLaunchJob = z.infer<typeof vmLaunchJob>;

export interface VmLaunchDeps {
  sql: Sql;
  db: Db;
  config: Config;
  provisioner: VmProvisioner;
  logger: Logger;
}

function emit(uow: UnitOfWork, data: VmLaunchJob, event: string, payload: Record<string, unknown>): void {
  uow.emit({ topic: 'lifecycle', owner_id: data.owner_id, subject_id: String(data.server_id), event, payload: { server_id: data.server_id, ...payload } });
}

async function launch(deps: VmLaunchDeps, data: VmLaunchJob, job: Job, signal: AbortSignal | undefined) {
  const { sql, config, provisioner } = deps;
  const server = await findServer(sql, data.owner_id, data.server_id);
  if (server === undefined) return { outcome: 'server-gone' };
  const domainName = domainNameFor(server.id, data.request_id);
  const latest = await findLatestInstanceWithTrust(sql, data.owner_id, server.id);
  const mine = latest?.instance.domain_name === domainName && latest.instance.driver === provisioner.driver;

  // The gate comes first: a quarantined VM that is still running must not be "confirmed" by a launch request.
  // Every check of the policy engine (trust, remediation, freshness, accelerators, tenant policy), recorded.
  const { decision, record } = await decideAndRecord(sql, data.owner_id, server.id, 'launch');
  if (!decision.allow) {
    const status = decision.status ?? 'pending-remediation';
    await transact(deps.db, async (uow) => {
      const { tx } = uow;
      await setServerPlacement(tx, data.owner_id, server.id, status, decision.notes);
      emit(uow, data, 'vm.launch-blocked', { status, gate: decision.gate, reason: decision.reason, notes: decision.notes, decision_id: record.decision_id, veto_check: decision.veto_check, veto_class: decision.veto_class });
    });
    return { outcome: 'blocked', status, gate: decision.gate, decision_id: record.decision_id };
  }

  if (latest !== undefined && latest.instance.terminated_at === null && !(mine && latest.instance.status === 'launching')) {
    // A registered name the platform never launched is not asked about: it may be another tenant's VM.
    const launched = isLaunchedDomain(server.id, provisioner.driver, latest.instance);
    const state = mine && latest.instance.status === 'running' ? 'running' : launched ? await provisioner.state(latest.instance.domain_name) : 'missing';
    if (state === 'running' || state === 'paused') {
      await setServerPlacement(sql, data.owner_id, server.id, 'running', decision.notes);
      return { outcome: 'already-running', domain_name: latest.instance.domain_name };
    }
    await setInstanceStatus(sql, latest.instance.id, 'stopped', { terminate: true, metadata: { observed_state: state } });
  }

  const sizing = {
    memoryMib: server.memory_mib ?? config.LIBVIRT_DEFAULT_MEMORY_MIB,
    vcpuCount: server.vcpu_count ?? config.LIBVIRT_DEFAULT_VCPU_COUNT,
    tier: server.isolation_tier ?? config.LIBVIRT_DEFAULT_ISOLATION_TIER,
  };
  const instance =
    (mine && latest.instance.terminated_at === null ? latest.instance : undefined) ??
    (await transact(deps.db, async (uow) => {
      const { tx } = uow;
      // Serialise launches of one server: a concurrent launch that already registered an instance wins.
      await tx`SELECT id FROM servers WHERE id = ${server.id} FOR UPDATE`;
      if ((await findCurrentVmInstance(tx, data.owner_id, server.id)) !== undefined) return undefined;
      const row = await insertVmInstance(tx, {
        ownerId: data.owner_id,
        serverId: server.id,
        driver: provisioner.driver,
        domainName,
        ...sizing,
        isolationTier: sizing.tier,
        status: 'launching',
        credentialSnapshot: provisioner.credentialSnapshot(),
        metadata: { request_id: data.request_id, requested_by: data.requested_by, job_id: job.id ?? null },
        actor: data.requested_by,
        freshnessSeconds: config.ATTESTATION_FRESHNESS_SECONDS,
      });
      await setServerPlacement(tx, data.owner_id, server.id, 'launching', decision.notes);
      return row;
    }));
  if (instance === undefined) return { outcome: 'another-launch-in-progress' };

  try {
    const result = await provisioner.launch({ domainName, serverId: server.id, ownerId: data.owner_id, image: server.image, memoryMib: sizing.memoryMib, vcpuCount: sizing.vcpuCount, tier: sizing.tier }, signal);
    const current = await transact(deps.db, async (uow) => {
      const { tx } = uow;
      const [row] = await tx`
        UPDATE runtime_vm_instances SET console_log_path = ${result.consoleLogPath} WHERE id = ${instance.id} AND terminated_at IS NULL RETURNING id`;
      if (row === undefined) return false;
      await setInstanceStatus(tx, instance.id, 'running', { metadata: { launched_state: result.state } });
      await setServerPlacement(tx, data.owner_id, server.id, 'running', decision.notes);
      emit(uow, data, 'vm.launched', { domain_name: domainName, driver: provisioner.driver, vm_instance_id: instance.id });
      return true;
    });
    if (!current) {
      // A stop request terminated the instance while the domain was starting: honour it.
      await provisioner.stop(domainName, signal);
      return { outcome: 'stopped-during-launch', domain_name: domainName };
    }
    return { outcome: 'launched', domain_name: domainName, vm_instance_id: instance.id, state: result.state };
  } catch (error) {
    const willRetry = (!isAppError(error) || error.retryable) && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
    if (!willRetry) {
      const code = isAppError(error) ? error.code : 'internal';
      await transact(deps.db, async (uow) => {
        const { tx } = uow;
        await setInstanceStatus(tx, instance.id, 'launch-failed', { terminate: true, metadata: { error_code: code } });
        await setServerPlacement(tx, data.owner_id, server.id, 'launch-failed', [...decision.notes, `vm:launch-error=${code}`]);
        await retireFailedInstance(uow, { ownerId: data.owner_id, vmInstanceId: instance.id, code, config });
        emit(uow, data, 'vm.launch-failed', { domain_name: domainName, code, vm_instance_id: instance.id });
      });
    }
    throw error;
  }
}

async function stop(deps: VmLaunchDeps, data: VmLaunchJob, signal: AbortSignal | undefined) {
  const { sql, provisioner } = deps;
  const server = await findServer(sql, data.owner_id, data.server_id);
  if (server === undefined) return { outcome: 'server-gone' };
  const latest = await findLatestInstanceWithTrust(sql, data.owner_id, server.id);
  if (latest === undefined || latest.instance.terminated_at !== null) {
    if (server.status === 'stopping') await setServerPlacement(sql, data.owner_id, server.id, 'stopped', server.placement_notes);
    return { outcome: 'nothing-to-stop' };
  }
  const { instance } = latest;
  // Only a domain the platform launched for this server is stopped on the hypervisor; any other row is just closed.
  const launched = isLaunchedDomain(server.id, provisioner.driver, instance);
  const result = launched ? await provisioner.stop(instance.domain_name, signal) : { forced: false, existed: false };
  await transact(deps.db, async (uow) => {
    const { tx } = uow;
    await setInstanceStatus(tx, instance.id, 'stopped', { terminate: true, metadata: launched ? { stop_forced: result.forced } : { stop_skipped: 'not a domain the platform launched for this server' } });
    await setServerPlacement(tx, data.owner_id, server.id, 'stopped', server.placement_notes);
    emit(uow, data, 'vm.stopped', { domain_name: instance.domain_name, forced: result.forced, existed: result.existed });
  });
  return { outcome: 'stopped', domain_name: instance.domain_name, forced: result.forced };
}

export function createVmLaunchHandler(deps: VmLaunchDeps) {
  return async (data: VmLaunchJob, job: Job, signal: AbortSignal | undefined) =>
    data.action === 'launch' ? launch(deps, data, job, signal) : stop(deps, data, signal);
}
