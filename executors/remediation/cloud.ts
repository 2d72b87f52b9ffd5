// Cloud API executor: one HTTPS call described by the plan, authenticated with a secret resolved now (never
// stored in job data), an idempotency key per attempt, then polling the operation it started until done.
import { setTimeout as sleep } from 'node:timers/promises';
import { namesLocalHost } from '../../core/local-host.ts';
import { redactSecretForms, secretForms } from '../../core/secret-forms.ts';
import { isAllowedCloudUrl, renderJson, renderTemplate, type CloudPlan } from '../../core/remediation-plan.ts';
import { sendCloudRequest, type CloudAnswer } from './cloud-http.ts';
import { readPath, reasonForStatus } from './http-status.ts';
import { SecretStoreUnreadable, type SecretResolver } from './secrets.ts';
import { failed, succeeded, type ExecutionResult, type RemediationExecutor } from './types.ts';

class Answered {
  constructor(readonly result: ExecutionResult) {}
}

/** Default for `responseCapBytes`: the part of an answer that is read, parsed and stored (the worker passes REMEDIATION_OUTPUT_CAP_BYTES). */
export const CLOUD_RESPONSE_CAP_BYTES = 1_048_576;

export interface CloudExecutorOptions {
  resolveSecret: SecretResolver;
  fetch?: typeof fetch;
  responseCapBytes?: number;
  /**
   * Whether a plan may call the worker's own host (loopback, `localhost`, link-local): REMEDIATION_CLOUD_ALLOW_LOOPBACK.
   * Off by default: the call runs in the worker, outside the sandbox, next to the platform's unauthenticated services.
   */
  allowLoopback?: boolean;
}

export function createCloudExecutor(options: CloudExecutorOptions): RemediationExecutor<CloudPlan> {
  const doFetch = options.fetch ?? fetch;
  const capBytes = options.responseCapBytes ?? CLOUD_RESPONSE_CAP_BYTES;
  return {
    async execute(plan, context): Promise<ExecutionResult> {
      // Nothing to prepare: no secret is read and no request leaves before the attempt is this worker's.
      if (context.gate && (await context.gate.then(() => false, () => true))) return failed('cancelled', 'the attempt was not claimed; nothing was sent');
      const overall = AbortSignal.timeout(context.timeoutMs);
      const stop = AbortSignal.any([context.signal, overall]);
      let secret: string | undefined;
      // The secret and its encodings (base64 inside a longer blob included): an API may echo it back either way.
      let forms: string[] = [];
      const redact = (text: string) => redactSecretForms(text, forms);
      // An API may echo the request (headers included) in its answer; outputs are artifacts, so they are redacted too.
      const redactJson = (value: unknown): unknown => {
        if (typeof value === 'string') return redact(value);
        if (Array.isArray(value)) return value.map(redactJson);
        if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactJson(item)]));
        return value;
      };
      const log = (line: string, stream: 'system' | 'stdout' = 'system') => context.onLog({ stream, line: redact(line), at: new Date() });

      const call = async (method: string, url: string, body?: string): Promise<{ status: number; json: unknown; location: string | null; truncated: boolean }> => {
        const headers: Record<string, string> = { accept: 'application/json', ...plan.headers, 'idempotency-key': context.idempotencyKey };
        if (body !== undefined) headers['content-type'] = 'application/json';
        if (plan.auth !== undefined && secret !== undefined) headers[plan.auth.header] = plan.auth.scheme ? `${plan.auth.scheme} ${secret}` : secret;
        let answer: CloudAnswer;
        try {
          answer = await sendCloudRequest(doFetch, { method, url, headers, body, signal: AbortSignal.any([stop, AbortSignal.timeout(plan.request_timeout_ms)]) }, capBytes);
        } catch (error) {
          if (context.signal.aborted) throw new Answered(failed('cancelled', `${method} ${url} cancelled`));
          if ((error as Error).name === 'TimeoutError') throw new Answered(failed('timeout', `${method} ${url} timed out`));
          throw new Answered(failed('dependency-outage', `${method} ${url} failed: ${redact(String((error as Error).cause ?? (error as Error).message))}`));
        }
        if (answer.kind === 'refused') throw new Answered(failed('policy-denied', redact(answer.detail)));
        if (answer.kind === 'too-many-redirects') throw new Answered(failed('playbook-bug', redact(answer.detail)));
        const { status, text, truncated } = answer;
        log(`${method} ${answer.url} -> ${status}`);
        // A cut-off document is not JSON: the status still decides, and nothing past the cap is kept.
        if (truncated) log(`the answer exceeded ${capBytes} bytes: reading stopped there and the body was not kept`);
        let json: unknown = undefined;
        try {
          json = text === '' || truncated ? undefined : JSON.parse(text);
        } catch {
          // Not every API answers JSON; the status code still decides, and the raw text is logged on failure.
          json = undefined;
        }
        const reason = reasonForStatus(status);
        if (reason !== null) {
          if (text !== '') log(text.slice(0, 2_000), 'stdout');
          throw new Answered(failed(reason, `${method} ${url} answered ${status}`, status));
        }
        return { status, json: redactJson(json), location: answer.location, truncated };
      };

      try {
        if (plan.auth !== undefined) {
          secret = await options.resolveSecret(context.ownerId, plan.auth.secret_ref).catch((error: unknown) => {
            const why = error instanceof SecretStoreUnreadable ? error.message : (error as Error).name;
            throw new Answered(failed('executor-unavailable', `secret store unreadable: ${why}`));
          });
          // One answer for "no such ref" and "another owner's ref": whether a ref exists elsewhere is not told.
          if (secret === undefined) return failed('policy-denied', `secret ${plan.auth.secret_ref} is not available to this owner`);
          forms = secretForms(secret);
        }
        const url = renderTemplate(plan.url, context.variables, encodeURIComponent);
        // Checked again here: a playbook stored before the https rule, or an operation URL the API hands back.
        if (!isAllowedCloudUrl(url)) return failed('policy-denied', 'refusing a plain-http URL to a non-loopback host');
        // Redirects and operation URLs must keep this origin, so checking it once covers them.
        if (!options.allowLoopback && namesLocalHost(url)) {
          return failed('policy-denied', `refusing ${new URL(url).origin}: the worker's own host is off limits (REMEDIATION_CLOUD_ALLOW_LOOPBACK is off)`);
        }
        const body = plan.body === undefined ? undefined : JSON.stringify(renderJson(plan.body, context.variables));
        const first = await call(plan.method, url, body);
        if (plan.poll === undefined) {
          const outputs = first.truncated ? { response: null, response_truncated: true, response_cap_bytes: capBytes } : { response: first.json ?? null };
          return succeeded(`${plan.method} answered ${first.status}`, first.status, outputs);
        }

        const pointer = readPath(first.json, plan.poll.operation_url_field) ?? first.location;
        if (typeof pointer !== 'string') return failed('playbook-bug', `response has no ${plan.poll.operation_url_field} to poll`, first.status);
        const operationUrl = new URL(pointer, url).toString();
        if (!isAllowedCloudUrl(operationUrl)) return failed('policy-denied', 'refusing to poll a plain-http operation URL on a non-loopback host');
        // The auth header goes along with every poll: only to the origin the playbook named.
        if (new URL(operationUrl).origin !== new URL(url).origin) return failed('policy-denied', `refusing to poll an operation URL outside ${new URL(url).origin}`);
        for (let poll = 1; poll <= plan.poll.max_polls; poll++) {
          await sleep(plan.poll.interval_ms, undefined, { signal: stop }).catch(() => undefined);
          if (context.signal.aborted) return failed('cancelled', 'cancelled while polling the operation');
          if (overall.aborted) return failed('timeout', 'the operation did not finish within the time limit');
          const state = await call('GET', operationUrl);
          if (state.truncated) return failed('playbook-bug', `the operation's answer exceeded ${capBytes} bytes; its status cannot be read`, state.status);
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
