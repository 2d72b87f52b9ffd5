// A terminated VM instance (its launch failed, or it was stopped) is history: it takes no new evidence, no operator
// transition but retirement, and no remediation run. Launching the server again makes a new instance for those.
import { AppError } from './errors.ts';

export interface InstanceLiveness {
  id: number;
  status: string;
  terminated_at: Date | string | null;
}

export function assertInstanceLive(instance: InstanceLiveness, what: string): void {
  if (instance.terminated_at === null) return;
  const at = new Date(instance.terminated_at).toISOString();
  throw new AppError('instance-terminated', `VM instance ${instance.id} was terminated (${instance.status}) at ${at}: ${what}; launch the server again and use the new instance`, {
    extras: { vm_instance_id: instance.id, instance_status: instance.status, terminated_at: at },
  });
}
