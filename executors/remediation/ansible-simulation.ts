// The stdout callback an Ansible simulation runs with: one `MCP-SIM {json}` line per task result, with the
// rendered diff, parsed by core/simulation-results.ts. Written into the simulation's work directory at run time.
export const SIMULATION_CALLBACK_NAME = 'mcp_simulation';

export const simulationCallbackSource = `import json
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = '${SIMULATION_CALLBACK_NAME}'

    def _emit(self, result, status):
        r = result._result
        diff = r.get('diff')
        text = ''
        if diff:
            try:
                text = self._get_diff(diff)
            except Exception:
                text = json.dumps(diff, default=str)
        self._display.display('MCP-SIM ' + json.dumps({
            'host': result._host.get_name(), 'task': result._task.get_name(), 'status': status,
            'changed': bool(r.get('changed')), 'skipped': bool(r.get('skipped')),
            'msg': str(r.get('msg', '')), 'skip_reason': str(r.get('skip_reason', '')), 'diff': text,
        }))

    def v2_runner_on_ok(self, result):
        self._emit(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._emit(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._emit(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._emit(result, 'unreachable')
`;
