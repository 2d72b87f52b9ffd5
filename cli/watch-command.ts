// Base class of the commands that follow a stream: the --retry-ms flag and the stderr lines every watch prints
// (once when the stream drops, once when it is back, and the retention `reset` notice).
import * as t from 'typanion';
import type { ApiClient } from './api-client.ts';
import { ApiCommand } from './api-command.ts';
import { valueFlag } from './flags.ts';
import { followStream, type FollowOptions } from './follow-stream.ts';

export abstract class WatchCommand extends ApiCommand {
  retryMs = valueFlag('--retry-ms', {
    validator: t.isNumber(),
    placeholder: 'ms',
    description: "First pause before reconnecting a dropped stream (default: the server's retry: field), doubling up to 30 s, jittered",
  });

  protected followStream(client: ApiClient, path: string, options: Pick<FollowOptions, 'since' | 'onOpen'> = {}) {
    return followStream(client, path, {
      ...options,
      retryMs: this.retryMs,
      onReconnect: (lastId) => this.context.stderr.write(`stream dropped; reconnecting after event ${lastId ?? '(start)'}\n`),
      onReconnected: (lastId) => this.context.stderr.write(`stream reconnected; resuming after event ${lastId ?? '(start)'}\n`),
      onReset: (notice) => this.context.stderr.write(notice),
    });
  }
}
