// mcpctl vm stop <server-id> [--version V] [--wait [--timeout S]]
import { VmActionCommand } from './action.ts';

export class VmStopCommand extends VmActionCommand {
  static override paths = [['vm', 'stop']];
  static override usage = VmActionCommand.Usage({
    description: "Stop a server's VM: graceful shutdown, then destroy after LIBVIRT_SHUTDOWN_TIMEOUT_MS; --wait follows it until it is stopped",
    examples: [['Stop server 3 and wait', 'mcpctl vm stop 3 --wait']],
  });

  readonly action = 'stop';
}
