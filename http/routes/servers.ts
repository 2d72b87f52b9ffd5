// /api/servers: the MCP servers an owner registers. Owner-scoped; writes carry the version they read.
import { idParam, pageQuery, toPage } from '../../core/schemas/common.ts';
import { createServerBody, deleteServerQuery, server, serverPage, updateServerBody } from '../../core/schemas/servers.ts';
import { deleteServer, getServer, insertServer, listServers, updateServer } from '../../sql/servers.ts';
import type { AppDeps } from '../deps.ts';
import { created, defineRoute, readRoles, writeRoles, type RouteSpec } from '../route.ts';

const tag = 'servers';

export function serverRoutes({ sql }: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/servers',
      operationId: 'createServer',
      summary: 'Register an MCP server',
      tag,
      roles: writeRoles,
      body: createServerBody,
      problems: [409],
      responses: { 201: { description: 'Created', schema: server } },
      async handler(_ctx, { body, auth }) {
        const row = await insertServer(sql, auth.owner, body);
        return created(row, `/api/servers/${row.id}`);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/servers',
      operationId: 'listServers',
      summary: 'List servers (cursor pagination)',
      tag,
      roles: readRoles,
      query: pageQuery,
      responses: { 200: { description: 'A page of servers', schema: serverPage } },
      async handler(_ctx, { query, auth }) {
        const rows = await listServers(sql, auth.owner, { limit: query.limit, ...(query.cursor === undefined ? {} : { after: query.cursor }) });
        return { status: 200, body: toPage(rows, query.limit) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/servers/:id',
      operationId: 'getServer',
      summary: 'Get one server',
      tag,
      roles: readRoles,
      params: idParam,
      responses: { 200: { description: 'The server', schema: server } },
      handler: async (_ctx, { params, auth }) => ({ status: 200, body: await getServer(sql, auth.owner, params.id) }),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/servers/:id',
      operationId: 'updateServer',
      summary: 'Update a server (optimistic locking on version)',
      tag,
      roles: writeRoles,
      params: idParam,
      body: updateServerBody,
      problems: [409],
      responses: { 200: { description: 'Updated', schema: server } },
      handler: async (_ctx, { params, body, auth }) => ({ status: 200, body: await updateServer(sql, auth.owner, params.id, body) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/servers/:id',
      operationId: 'deleteServer',
      summary: 'Delete a server (pass ?version= to guard against concurrent edits)',
      tag,
      roles: writeRoles,
      params: idParam,
      query: deleteServerQuery,
      problems: [409],
      responses: { 204: { description: 'Deleted' } },
      async handler(_ctx, { params, query, auth }) {
        await deleteServer(sql, auth.owner, params.id, query.version);
        return { status: 204 };
      },
    }),
  ];
}
