// The one schema over every environment variable the platform reads, and the message an invalid one produces.
import { z } from 'zod';
import { libvirtDirectBoot, libvirtGpuPolicy, libvirtNetworkTemplate, libvirtVolumeTemplate } from './libvirt-templates.ts';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A JSON document held in an env var: parsed first, then validated by `schema`. */
function jsonVar<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

export const isolationTier = z.enum(['none', 'sev', 'sev-snp', 'tdx']);
export type IsolationTier = z.infer<typeof isolationTier>;

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).default('postgres://postgres@127.0.0.1:5432/mcp_runtime'),
  DATABASE_POOL_MAX: int(1, 200).default(10),
  REDIS_URL: z
    .union([z.url({ protocol: /^rediss?$/ }), z.string().regex(/^\/\S+$/)], { error: 'must be a redis:// URL or the absolute path of a unix socket' })
    .default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^\s*$|^[^\s,]+:\d{1,5}(\s*,\s*[^\s,]+:\d{1,5})*\s*$/, 'must be a comma-separated list of host:port')
    .default('')
    .transform((value) => value.split(',').map((node) => node.trim()).filter((node) => node !== '')),
  LOCAL_POSTGRES_PORT: int(1, 65535).default(5432),
  LOCAL_REDIS_PORT: int(1, 65535).default(6379),
  EMBEDDED_SERVICES: z.enum(['auto', 'off']).default('auto'),
  EMBEDDED_SERVICES_DIR: z.string().startsWith('/', 'must be an absolute path').optional(),
  EMBEDDED_POSTGRES_USER: z.string().regex(/^[a-z_][a-z0-9_-]*$/, 'must be a system user name').default('postgres'),
  EMBEDDED_REDIS_SERVER: z.string().min(1).default('redis-server'),
  QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'may hold only letters, digits, _ and -').default('mcp'),
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  JWT_SECRET_FILE: z.string().min(1).optional(),
  JWT_DEV_SECRET_FILE: z.string().min(1).optional(),
  JWT_MAX_LIFETIME_SECONDS: int(60, 31_536_000).default(86_400),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  HTTP_BODY_LIMIT_BYTES: int(1024, 104_857_600).default(1_048_576),
  HTTP_JSON_MAX_DEPTH: int(2, 1000).default(32),
  HTTP_JSON_MAX_STRING_LENGTH: int(16, 10_485_760).default(262_144),
  HTTP_JSON_MAX_ARRAY_LENGTH: int(1, 1_000_000).default(10_000),
  SSE_HEARTBEAT_MS: int(100, 300_000).default(15_000),
  SSE_MAX_BUFFERED_BYTES: int(1024).default(1_048_576),
  SSE_KEEPALIVE_MS: int(1000, 7_200_000).default(10_000),
  STREAM_RETENTION_DAYS: int(1, 3650).default(7),
  STREAM_RETENTION_SWEEP_MS: int(1000, 86_400_000).default(600_000),
  CONSOLE_RECONCILE_MS: int(1000, 86_400_000).default(3_600_000),
  OUTBOX_SWEEP_MS: int(50, 600_000).default(1_000),
  OUTBOX_RECHECK_SECONDS: int(1, 86_400).default(60),
  WORKER_CONCURRENCY: int(1, 256).default(8),
  WORKER_METRICS_PORT: int(0, 65535).optional(),
  WORKER_LOCK_DURATION_MS: int(500, 600_000).default(30_000),
  WORKER_STALLED_INTERVAL_MS: int(100, 600_000).default(30_000),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(30_000),
  TRUST_HISTORY_DEFAULT_LIMIT: int(1, 1000).default(50),
  TRUST_HISTORY_MAX_LIMIT: int(1, 10_000).default(500),
  ATTESTATION_FRESHNESS_SECONDS: int(1).default(3600),
  ATTESTATION_NONCE_MAX_AGE_SECONDS: int(1).default(300),
  ATTESTATION_BATCH_SIZE: int(1, 1000).default(64),
  TRUST_NOTIFY: z.enum(['after-commit', 'transaction', 'off']).default('after-commit'),
  TRUST_CATCH_UP_SWEEP_MS: int(100, 3_600_000).default(30_000),
  EVALUATION_REFRESH_INTERVAL_MS: int(100, 604_800_000).default(3_600_000),
  EVALUATION_REFRESH_JITTER_MS: int(0, 86_400_000).default(300_000),
  EVALUATION_UNREACHABLE_BACKOFF_MAX_MS: int(100, 604_800_000).default(21_600_000),
  EVALUATION_STALL_SWEEP_MS: int(100, 3_600_000).default(60_000),
  REMEDIATION_APPROVAL_TTL_SECONDS: int(1).default(86_400),
  REMEDIATION_WORKDIR: z.string().min(1).default('/tmp/mcp-runtime/remediation'),
  REMEDIATION_OUTPUT_CAP_BYTES: int(1024).default(1_048_576),
  REMEDIATION_SECRETS_FILE: z.string().min(1).optional(),
  REMEDIATION_SANDBOX_BWRAP: z.string().min(1).default('/usr/bin/bwrap'),
  REMEDIATION_SANDBOX_UID: int(1, 4_294_967_294).default(65_534),
  REMEDIATION_SANDBOX_GID: int(1, 4_294_967_294).default(65_534),
  REMEDIATION_SANDBOX_ALLOW_EGRESS: boolish.default(false),
  REMEDIATION_CLOUD_ALLOW_LOOPBACK: boolish.default(false),
  REMEDIATION_ANSIBLE_PLAYBOOK_ROOT: z.string().startsWith('/', 'must be an absolute path').optional(),
  REMEDIATION_WATCHDOG_GRACE_SECONDS: int(1, 86_400).default(60),
  REMEDIATION_LEASE_MS: int(300, 600_000).default(30_000),
  REMEDIATION_RETRY_BASE_MS: int(1, 3_600_000).default(1_000),
  REMEDIATION_RETRY_MAX_MS: int(1, 86_400_000).default(300_000),
  VM_PROVISIONER_DRIVER: z.enum(['http', 'libvirt']).default('http'),
  VM_HTTP_PROVISIONER_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).default('http://127.0.0.1:8090'),
  VM_HTTP_PROVISIONER_TIMEOUT_MS: int(100, 600_000).default(10_000),
  LIBVIRT_CONNECTION_URI: z.string().min(1).default('qemu:///system'),
  LIBVIRT_USERNAME: z.string().min(1).optional(),
  LIBVIRT_PASSWORD: z.string().min(1).optional(),
  LIBVIRT_PASSWORD_FILE: z.string().min(1).optional(),
  LIBVIRT_DEFAULT_ISOLATION_TIER: isolationTier.default('none'),
  LIBVIRT_DEFAULT_MEMORY_MIB: int(16, 16_777_216).default(512),
  LIBVIRT_DEFAULT_VCPU_COUNT: int(1, 4096).default(1),
  LIBVIRT_LOG_TAIL: int(1, 100_000).default(200),
  LIBVIRT_NETWORK_TEMPLATE: jsonVar(libvirtNetworkTemplate).optional(),
  LIBVIRT_VOLUME_TEMPLATE: jsonVar(libvirtVolumeTemplate).optional(),
  LIBVIRT_GPU_POLICY: jsonVar(libvirtGpuPolicy).optional(),
  LIBVIRT_CONSOLE_SOURCE: z.enum(['pty', 'tcp', 'unix', 'file']).default('pty'),
  LIBVIRT_CONSOLE_LOG_DIR: z.string().min(1).default('/var/log/mcp-runtime/console'),
  LIBVIRT_SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(30_000),
  LIBVIRT_DOMAIN_TYPE: z.enum(['kvm', 'qemu']).default('kvm'),
  LIBVIRT_DIRECT_BOOT: jsonVar(libvirtDirectBoot).optional(),
  LIBVIRT_CONSOLE_TCP_PORT_BASE: int(1024, 60_000).default(50_000),
  BULL_BOARD_ENABLED: boolish.default(true),
  BULL_BOARD_READ_ONLY: boolish.default(true),
  REM_FABRIC_SCENARIO_DIR: z.string().min(1).optional(),
});

export type Config = z.infer<typeof configSchema>;

export const localDatabaseUrl = (port: number) => `postgres://postgres@127.0.0.1:${port}/mcp_runtime`;
export const localRedisUrl = (port: number) => `redis://127.0.0.1:${port}`;

/** The secret older releases shipped as a default: publicly known, so production refuses it. */
export const BUILT_IN_DEVELOPMENT_SECRET = 'mcp-runtime-local-development-secret';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** `VAR: field problem` — names the variable, then the field inside a JSON template when there is one. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const [variable, ...field] = issue.path.map(String);
  const where = field.length > 0 ? `${field.join('.')} ` : '';
  let message = issue.message;
  if (issue.code === 'invalid_value') message = `must be one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'unrecognized_keys') message = `has unknown field(s) ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = 'is required';
  return `${variable}: ${where}${message}`;
}

/** What is wrong with the signing-secret settings, judged from the parsed (empty-is-unset) values only. */
function jwtSecretProblem(config: Config): string | undefined {
  if (config.JWT_SECRET !== undefined && config.JWT_SECRET_FILE !== undefined) return 'JWT_SECRET: set either JWT_SECRET or JWT_SECRET_FILE, not both';
  if (config.NODE_ENV !== 'production') return undefined;
  if (config.JWT_SECRET === undefined && config.JWT_SECRET_FILE === undefined) return 'JWT_SECRET: is required when NODE_ENV=production (or set JWT_SECRET_FILE)';
  if (config.JWT_SECRET === BUILT_IN_DEVELOPMENT_SECRET) return 'JWT_SECRET: is the publicly known development secret; production needs its own';
  return undefined;
}

export const MIN_PRODUCTION_LEASE_MS = 6_000;

/** Parse the environment once; throws ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key in configSchema.shape && value !== undefined && value !== ''),
  );
  const result = configSchema.safeParse(present);
  if (!result.success) throw new ConfigError(result.error.issues.map(describeIssue));
  // An unset DATABASE_URL / REDIS_URL means the local service on its LOCAL_*_PORT (what `npm start` probes before
  // starting an embedded one).
  const config = {
    ...result.data,
    DATABASE_URL: present.DATABASE_URL === undefined ? localDatabaseUrl(result.data.LOCAL_POSTGRES_PORT) : result.data.DATABASE_URL,
    REDIS_URL: present.REDIS_URL === undefined ? localRedisUrl(result.data.LOCAL_REDIS_PORT) : result.data.REDIS_URL,
  };
  const jwtProblem = jwtSecretProblem(config);
  if (jwtProblem !== undefined) throw new ConfigError([jwtProblem]);
  if (config.LIBVIRT_PASSWORD !== undefined && config.LIBVIRT_PASSWORD_FILE !== undefined) {
    throw new ConfigError(['LIBVIRT_PASSWORD: set either LIBVIRT_PASSWORD or LIBVIRT_PASSWORD_FILE, not both']);
  }
  // A cut-off worker stops its attempt within 2/3 of the lease plus the 2 s kill grace; below 6 s that can outlast
  // the lease and overlap the retry (docs/remediation.md, execution guarantees). Tests may go shorter.
  if (config.NODE_ENV === 'production' && config.REMEDIATION_LEASE_MS < MIN_PRODUCTION_LEASE_MS) {
    throw new ConfigError([`REMEDIATION_LEASE_MS: must be at least ${MIN_PRODUCTION_LEASE_MS} when NODE_ENV=production`]);
  }
  return config;
}
