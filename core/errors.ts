// The error catalog: stable kebab-case codes that decide the HTTP status, whether a job retries, and the CLI message.
export const errorCatalog = {
  'validation-failed': { status: 400, title: 'Request validation failed', retryable: false },
  'bad-request': { status: 400, title: 'Bad request', retryable: false },
  unauthenticated: { status: 401, title: 'Authentication required', retryable: false },
  forbidden: { status: 403, title: 'Forbidden', retryable: false },
  'not-found': { status: 404, title: 'Not found', retryable: false },
  'method-not-allowed': { status: 405, title: 'Method not allowed', retryable: false },
  'payload-too-large': { status: 413, title: 'Payload too large', retryable: false },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', retryable: false },
  'server-not-found': { status: 404, title: 'Server not found', retryable: false },
  'vm-instance-not-found': { status: 404, title: 'VM instance not found', retryable: false },
  'playbook-not-found': { status: 404, title: 'Playbook not found', retryable: false },
  'run-not-found': { status: 404, title: 'Remediation run not found', retryable: false },
  'workspace-not-found': { status: 404, title: 'Remediation workspace not found', retryable: false },
  'revision-not-found': { status: 404, title: 'Workspace revision not found', retryable: false },
  'gate-stale': { status: 409, title: 'A gate judged facts that have since changed', retryable: false },
  'version-conflict': { status: 409, title: 'Version conflict', retryable: false },
  'already-exists': { status: 409, title: 'Already exists', retryable: false },
  'active-run-exists': { status: 409, title: 'An active remediation run already exists', retryable: false },
  'illegal-transition': { status: 422, title: 'Illegal lifecycle transition', retryable: false },
  'override-refused': { status: 422, title: 'This veto cannot be overridden', retryable: false },
  'illegal-run-transition': { status: 409, title: 'Illegal remediation run status change', retryable: false },
  'attempt-superseded': { status: 409, title: 'Remediation attempt no longer holds its run', retryable: false },
  'approval-not-allowed': { status: 403, title: 'Approval not allowed', retryable: false },
  'approval-expired': { status: 409, title: 'Approval window expired', retryable: false },
  'invalid-state': { status: 409, title: 'Invalid state for this operation', retryable: false },
  'instance-terminated': { status: 409, title: 'VM instance terminated', retryable: false },
  'attestation-rejected': { status: 422, title: 'Attestation evidence rejected', retryable: false },
  'unsupported-isolation-tier': { status: 422, title: 'Isolation tier not supported by libvirt', retryable: false },
  'libvirt-auth-failed': { status: 502, title: 'libvirt authentication failed', retryable: false },
  'libvirt-unavailable': { status: 503, title: 'libvirt unavailable', retryable: true },
  'libvirt-error': { status: 502, title: 'libvirt operation failed', retryable: false },
  'libvirt-binding-missing': { status: 503, title: 'libvirt native binding not installed', retryable: false },
  'provisioner-unavailable': { status: 503, title: 'VM provisioner unavailable', retryable: true },
  'provisioner-rejected': { status: 502, title: 'VM provisioner rejected the request', retryable: false },
  'executor-timeout': { status: 504, title: 'Executor timed out', retryable: true },
  'executor-unavailable': { status: 503, title: 'Executor unavailable', retryable: true },
  'dependency-unavailable': { status: 503, title: 'Dependency unavailable', retryable: true },
  'invalid-job-data': { status: 500, title: 'Invalid job data', retryable: false },
  internal: { status: 500, title: 'Internal server error', retryable: true },
} as const satisfies Record<string, { status: number; title: string; retryable: boolean }>;

export type ErrorCode = keyof typeof errorCatalog;

export interface FieldError {
  path: string;
  code: string;
  message: string;
}

/** The one error type our code throws on purpose; everything about it follows from its code. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly extras: Record<string, unknown>;
  readonly errors: FieldError[] | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { extras?: Record<string, unknown>; errors?: FieldError[]; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
    this.extras = options.extras ?? {};
    this.errors = options.errors;
  }

  get status(): number {
    return errorCatalog[this.code].status;
  }

  get retryable(): boolean {
    return errorCatalog[this.code].retryable;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
