// Cloud API executor: one HTTPS call described by the plan, authenticated with a secret resolved now (never
// stored in job data), an idempotency key per attempt, then polling the operation it started until done.
import { setTimeout as sleep } from 'node:timers/promises';
import { isAllowedCloudUrl, renderJson, renderTemplate, type CloudPlan } from '../../core/remediation-plan.ts';
import { readPath, reasonForStatus } from './http-status.ts';
import type { SecretResolver } from './secrets.ts';
import { failed, succeeded, type ExecutionResult, type RemediationExecutor } from './types.ts';

class Answered {
  constructor(readonly result: ExecutionResult) {}
}

export function createCloudExecutor(options: { resolveSecret: SecretResolver; fetch?: typeof fetch }): RemediationExecutor<CloudPlan> {
  const doFetch = options.fetch ?? fetch;
  return {
    async execute(plan, context): Promise<ExecutionResult> {
      const overall = AbortSignal.timeout(context.timeoutMs);
      const stop = AbortSignal.any([context.signal, overall]);
      let secret: string | undefined;
      const redact = (text: string) => (secret ? text.split(secret).join('[redacted]') : text);
      // An API may echo the request (headers included) in its answer; outputs are artifacts, so they are redacted too.
      const redactJson = (value: unknown): unknown => {
        if (typeof value === 'string') return redact(value);
        if (Array.isArray(value)) return value.map(redactJson);
        if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactJson(item)]));
        return value;
      };
      const log = (line: string, stream: 'system' | 'stdout' = 'system') => context.onLog({ stream, line: redact(line), at: new Date() });

      const call = async (method: string, url: string, body?: string): Promise<{ status: number; json: unknown; location: string | null }> => {
        const headers: Record<string, string> = { accept: 'application/json', ...plan.headers, 'idempotency-key': context.idempotencyKey };
        if (body !== undefined) headers['content-type'] = 'application/json';
        if (plan.auth !== undefined && secret !== undefined) headers[plan.auth.header] = plan.auth.scheme ? `${plan.auth.scheme} ${secret}` : secret;
        let response: Response;
        try {
          response = await doFetch(url, { method, headers, body: body ?? null, signal: AbortSignal.any([stop, AbortSignal.timeout(plan.request_timeout_ms)]) });
        } catch (error) {
          if (context.signal.aborted) throw new Answered(failed('cancelled', `${method} ${url} cancelled`));
          if ((error as Error).name === 'TimeoutError') throw new Answered(failed('timeout', `${method} ${url} timed out`));
          throw new Answered(failed('dependency-outage', `${method} ${url} failed: ${redact(String((error as Error).cause ?? (error as Error).message))}`));
        }
        const text = await response.text();
        log(`${method} ${url} -> ${response.status}`);
        let json: unknown = undefined;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          // Not every API answers JSON; the status code still decides, and the raw text is logged on failure.
          json = undefined;
        }
        const reason = reasonForStatus(response.status);
        if (reason !== null) {
          if (text !== '') log(text.slice(0, 2_000), 'stdout');
          throw new Answered(failed(reason, `${method} ${url} answered ${response.status}`, response.status));
        }
        return { status: response.status, json: redactJson(json), location: response.headers.get('location') };
      };

      try {
        if (plan.auth !== undefined) {
          secret = await options.resolveSecret(plan.auth.secret_ref).catch((error: unknown) => {
            throw new Answered(failed('executor-unavailable', `secret store unreadable: ${(error as Error).name}`));
          });
          if (secret === undefined) return failed('executor-unavailable', `secret ${plan.auth.secret_ref} is not configured on this worker`);
        }
        const url = renderTemplate(plan.url, context.variables, encodeURIComponent);
        // Checked again here: a playbook stored before the https rule, or an operation URL the API hands back.
        if (!isAllowedCloudUrl(url)) return failed('policy-denied', 'refusing a plain-http URL to a non-loopback host');
        const body = plan.body === undefined ? undefined : JSON.stringify(renderJson(plan.body, context.variables));
        const first = await call(plan.method, url, body);
        if (plan.poll === undefined) return succeeded(`${plan.method} answered ${first.status}`, first.status, { response: first.json ?? null });

        const pointer = readPath(first.json, plan.poll.operation_url_field) ?? first.location;
        if (typeof pointer !== 'string') return failed('playbook-bug', `response has no ${plan.poll.operation_url_field} to poll`, first.status);
        const operationUrl = new URL(pointer, url).toString();
        if (!isAllowedCloudUrl(operationUrl)) return failed('policy-denied', 'refusing to poll a plain-http operation URL on a non-loopback host');
        for (let poll = 1; poll <= plan.poll.max_polls; poll++) {
          await sleep(plan.poll.interval_ms, undefined, { signal: stop }).catch(() => undefined);
          if (context.signal.aborted) return failed('cancelled', 'cancelled while polling the operation');
          if (overall.aborted) return failed('timeout', 'the operation did not finish within the time limit');
          const state = await call('GET', operationUrl);
          const status = String(readPath(state.json, plan.poll.status_field) ?? '');
          if (plan.poll.success_values.includes(status)) return succeeded(`operation ${status} after ${poll} polls`, state.status, { operation: state.json ?? null });
          if (plan.poll.failure_values.includes(status)) return failed('other', `operation ended ${status}`, state.status);
        }
        return failed('timeout', `operation still running after ${plan.poll.max_polls} polls`);
      } catch (error) {
        if (error instanceof Answered) return error.result;
        throw error;
      }
    },
  };
}
