// mcpctl vm launch <server-id> [--version V] [--wait [--timeout S]]
import { VmActionCommand } from './action.ts';

export class VmLaunchCommand extends VmActionCommand {
  static override paths = [['vm', 'launch']];
  static override usage = VmActionCommand.Usage({
    description: "Launch a server's VM (the placement gate may hold it in pending-remediation / pending-attestation); --wait follows it until it settles",
    examples: [
      ['Launch server 3', 'mcpctl vm launch 3'],
      ['Launch only if server 3 is still at version 4, and wait up to 2 minutes', 'mcpctl vm launch 3 --version 4 --wait --timeout 120'],
    ],
  });

  readonly action = 'launch';
}
