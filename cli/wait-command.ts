// Base class of every command with `--wait`: the flag pair (--wait, --timeout <seconds>) and the poll loop with
// progress on stderr; a timeout exits WAIT_TIMEOUT_EXIT with one line saying what it waited for.
import { Option } from 'clipanion';
import * as t from 'typanion';
import { ApiCommand } from './api-command.ts';
import { valueFlag } from './flags.ts';
import { waitUntil, type WaitSpec } from './wait-loop.ts';

export abstract class WaitCommand extends ApiCommand {
  wait = Option.Boolean('--wait', false, { description: 'Wait for the end state, with progress on stderr' });
  timeout = valueFlag('--timeout', '60', { validator: t.isNumber(), placeholder: 'seconds', description: 'With --wait: give up after this many seconds (0: never) and exit 124' });

  waitFor<T>(spec: Omit<WaitSpec<T>, 'timeoutSeconds' | 'progress'>): Promise<T> {
    return waitUntil({ ...spec, timeoutSeconds: this.timeout, progress: (line) => this.context.stderr.write(line) });
  }
}
