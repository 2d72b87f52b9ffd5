// Table columns shared by the remediation read commands.
export const playbookColumns = ['id', 'playbook_key', 'executor_type', 'approval_required', 'sla_duration_seconds', 'retry_limit', 'version'];
export const runColumns = ['id', 'vm_instance_id', 'playbook_key', 'status', 'approval_state', 'attempt', 'failure_reason', 'version'];
export const playbooksPath = '/api/trust/remediation/playbooks';
export const runsPath = '/api/trust/remediation/runs';
