// Maps libvirt failures onto the error catalog. The binding reports every error with code -1 and only a message,
// so the message is all there is to classify; the patterns stay here, in one place.
import { AppError, isAppError } from '../../core/errors.ts';

// A socket we may not open (not in the libvirt group) is an access failure: retrying cannot help.
const authFailure =
  /authentication (failed|unavailable)|Missing authentication credentials|auth.*denied|Permission denied.*(sasl|password)|connect socket.*Permission denied/i;
// "client socket is closed": a kept connection whose libvirtd restarted; it must be dropped and reopened.
const unreachable =
  /unable to connect|Connection refused|Failed to connect socket|cannot connect|no connection driver|End of file while reading data|Cannot recv data|Broken pipe|Connection reset|client socket is closed/i;
const notFound = /Domain not found|no domain with matching/i;
const launchSecurity = /launchSecurity|launch security|sev-snp|tdx/i;

export function isDomainNotFound(error: unknown): boolean {
  return error instanceof Error && notFound.test(error.message);
}

export function isLaunchSecurityRejection(error: unknown): boolean {
  return error instanceof Error && !isAppError(error) && launchSecurity.test(error.message);
}

/** Wrap a libvirt failure of `operation` as an AppError; AppErrors pass through untouched. */
export function toLibvirtError(operation: string, error: unknown): AppError {
  if (isAppError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (authFailure.test(message))
    return new AppError('libvirt-auth-failed', `libvirt rejected the credentials during ${operation}: ${message}`, { cause: error });
  if (unreachable.test(message))
    return new AppError('libvirt-unavailable', `libvirt is unreachable during ${operation}: ${message}`, { cause: error });
  return new AppError('libvirt-error', `libvirt ${operation} failed: ${message}`, { cause: error, extras: { operation } });
}
