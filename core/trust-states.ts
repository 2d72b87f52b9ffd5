// The vocabulary of the trust registry: attestation statuses, lifecycle states, remediation states.
// The transition table over these lives in core/lifecycle.ts.
import { z } from 'zod';

/** Verdict of one attestation outcome. `unknown` = the verifier could not decide; never proof of trust. */
export const attestationStatus = z.enum(['trusted', 'untrusted', 'unknown']);
export type AttestationStatus = z.infer<typeof attestationStatus>;

/** `pending` is the initial state of a newly registered instance, before its first trusted attestation. */
export const lifecycleState = z.enum(['pending', 'trusted', 'suspect', 'quarantined', 'remediating', 'restored', 'retired']);
export type LifecycleState = z.infer<typeof lifecycleState>;

/** Registry remediation states, driven by the remediation control plane. */
export const remediationState = z.enum([
  'awaiting-approval',
  'automation-pending',
  'automation-running',
  'automation-complete',
  'automation-failed',
  'transient-failure',
  'automation-cancelled',
]);
export type RemediationState = z.infer<typeof remediationState>;
