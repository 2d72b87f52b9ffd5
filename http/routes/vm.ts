// /api/servers/:id/vm: launch and stop a server's VM (through the vm-launch queue), its instance and trust view,
// and its console (tail + live stream). Owner-scoped: another owner's server answers 404 everywhere.
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { isStale, lifecycleBadge } from '../../core/placement-gate.ts';
import { idParam } from '../../core/schemas/common.ts';
import { consoleStreamEvents } from '../../core/schemas/stream-events.ts';
import { isLaunchedDomain } from '../../core/vm-domain-name.ts';
import { consoleLines, consoleQuery, vmActionAccepted, vmActionBody, vmView } from '../../core/schemas/vm.ts';
import { tailConsole } from '../../executors/vm/console-log.ts';
import { createHttpProvisioner } from '../../executors/vm/http-provisioner.ts';
import { vmLaunchQueue } from '../../queues/vm-launch.ts';
import { getServer } from '../../sql/servers.ts';
import { transact } from '../../sql/transact.ts';
import { findLatestInstanceWithTrust, markVmActionRequested } from '../../sql/vm-launch-records.ts';
import type { AppDeps } from '../deps.ts';
import { defineRoute, readRoles, writeRoles, type RouteSpec } from '../route.ts';
import { sseOptions } from '../stream-route.ts';
import { serveConsoleStream } from '../vm-console-stream.ts';

const tag = 'vm';

export function vmRoutes({ sql, db, config }: AppDeps): RouteSpec[] {
  const httpConsole = config.VM_PROVISIONER_DRIVER === 'http' ? createHttpProvisioner(config) : undefined;

  const action = (name: 'launch' | 'stop') =>
    defineRoute({
      method: 'post',
      path: `/api/servers/:id/vm/${name}`,
      operationId: name === 'launch' ? 'launchServerVm' : 'stopServerVm',
      summary: name === 'launch' ? "Launch the server's VM (placement gate first; answers at once, the job does the work)" : "Stop the server's VM",
      tag,
      roles: writeRoles,
      params: idParam,
      body: vmActionBody,
      problems: [409],
      responses: { 202: { description: 'Accepted', schema: vmActionAccepted } },
      async handler(ctx, { params, body, auth }) {
        const requestId = String(ctx.state.requestId);
        const { server, jobId } = await transact(db, async (uow) => {
          const row = await markVmActionRequested(uow.tx, auth.owner, params.id, name === 'launch' ? 'launch-requested' : 'stopping', body.version);
          // Built from our own ids only (each accepted request bumps the version), never from the caller's request id.
          const id = `vm-${name}-${row.id}-v${row.version}`;
          uow.enqueue(vmLaunchQueue, { server_id: row.id, owner_id: auth.owner, action: name, requested_by: auth.sub, request_id: requestId }, { jobId: id });
          return { server: row, jobId: id };
        });
        return { status: 202, body: { server_id: server.id, action: name, status: server.status, job_id: jobId, version: server.version } };
      },
    });

  async function latest(ownerId: string, serverId: number) {
    const server = await getServer(sql, ownerId, serverId);
    return { server, latest: await findLatestInstanceWithTrust(sql, ownerId, serverId) };
  }

  return [
    action('launch'),
    action('stop'),
    defineRoute({
      method: 'get',
      path: '/api/servers/:id/vm',
      operationId: 'getServerVm',
      summary: "The server's latest VM instance with lifecycle badge, remediation attempts, freshness and placement notes",
      tag,
      roles: readRoles,
      params: idParam,
      responses: { 200: { description: 'The VM view', schema: vmView } },
      async handler(_ctx, { params, auth }) {
        const { server, latest: found } = await latest(auth.owner, params.id);
        const trust = found?.trust;
        return {
          status: 200,
          body: {
            server_id: server.id,
            server_status: server.status,
            placement_notes: server.placement_notes,
            instance: found?.instance ?? null,
            trust: trust
              ? { ...trust, lifecycle_badge: lifecycleBadge(trust.lifecycle_state), stale: isStale(trust, new Date()) }
              : null,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/servers/:id/vm/logs',
      operationId: 'getServerVmLogs',
      summary: 'The last console lines of the server VM (rotated log files included)',
      tag,
      roles: readRoles,
      params: idParam,
      query: consoleQuery(config.LIBVIRT_LOG_TAIL),
      responses: { 200: { description: 'Console lines, oldest first', schema: consoleLines } },
      async handler(_ctx, { params, query, auth }) {
        const { server, latest: found } = await latest(auth.owner, params.id);
        const instance = found?.instance;
        let read: { lines: string[]; cursor: string | null } = { lines: [], cursor: null };
        // Only the console of a domain the platform launched for this server: a registered name may be anyone's.
        if (instance && httpConsole && isLaunchedDomain(server.id, 'http', instance)) read = { lines: await httpConsole.readConsole(instance.domain_name, query.tail), cursor: null };
        else if (instance?.console_log_path) {
          const tail = await tailConsole(instance.console_log_path, query.tail);
          read = { lines: tail.lines, cursor: String(tail.cursor) };
        }
        return { status: 200, body: { server_id: server.id, domain_name: instance?.domain_name ?? null, ...read } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/servers/:id/vm/logs/stream',
      operationId: 'streamServerVmLogs',
      summary: 'Server-Sent Events: each new console line as a `console` event (resume with Last-Event-ID)',
      tag,
      roles: readRoles,
      params: idParam,
      problems: [409],
      query: z.object({ cursor: z.string().optional(), access_token: z.string().optional() }),
      responses: { 200: { description: 'text/event-stream of console lines', contentType: 'text/event-stream', events: consoleStreamEvents } },
      async handler(ctx, { params, auth }) {
        const { server, latest: found } = await latest(auth.owner, params.id);
        const instance = found?.instance;
        if (!instance?.console_log_path) {
          throw new AppError('invalid-state', `server ${server.id} has no VM console log on this host (launch it with the libvirt driver first)`);
        }
        return serveConsoleStream(
          ctx,
          sseOptions(config),
          { path: instance.console_log_path, serverId: server.id, domainName: instance.domain_name },
        );
      },
    }),
  ];
}
