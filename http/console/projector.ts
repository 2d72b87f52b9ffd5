// Keeps the console projection of every owner with a console client on this node fresh: a change on the
// remediation or trust stream (through the hub) or the sweep (for writers that emit no event) re-projects it.
import type { Logger } from 'pino';
import type { StreamTopic } from '../../queues/sse-fanout.ts';
import { projectConsole } from '../../sql/console-projection.ts';
import type { Db } from '../../sql/transact.ts';
import type { StreamHub } from '../stream-hub.ts';

/** Topics whose events can change a console entry. */
const SOURCES: StreamTopic[] = ['remediation', 'remediation-workspace', 'trust-registry', 'lifecycle'];

export interface ConsoleProjector {
  /** Project the owner now (the stream's snapshot waits for it) and keep it fresh until the returned release. */
  watch(ownerId: string): Promise<() => void>;
  /** Project the owner now (coalesced with a projection already running for it). */
  project(ownerId: string): Promise<void>;
}

interface Watched {
  clients: number;
  running: Promise<void> | undefined;
  again: boolean;
  stop: () => void;
}

export function createConsoleProjector(deps: { db: Db; hub: StreamHub; logger: Logger; sweepMs: number }): ConsoleProjector {
  const owners = new Map<string, Watched>();
  const once = (ownerId: string) => projectConsole(deps.db, ownerId).then(() => undefined);

  function kick(ownerId: string, watched: Watched): Promise<void> {
    if (watched.running) {
      watched.again = true;
      return watched.running;
    }
    watched.running = once(ownerId)
      .catch((error: unknown) => deps.logger.error({ err: error, ownerId }, 'console projection failed'))
      .finally(() => {
        watched.running = undefined;
        if (watched.again) {
          watched.again = false;
          void kick(ownerId, watched);
        }
      });
    return watched.running;
  }

  async function follow(ownerId: string): Promise<Watched> {
    const watched: Watched = { clients: 0, running: undefined, again: false, stop: () => {} };
    const removers = await Promise.all(
      SOURCES.map(async (topic) =>
        deps.hub.add({
          topic,
          ownerId,
          lastId: await deps.hub.head(topic),
          matches: () => true,
          deliver: () => {
            void kick(ownerId, watched);
            return true;
          },
          buffered: () => 0,
          onDrain: () => {},
          drop: () => {},
          closed: () => false,
        }),
      ),
    );
    const timer = setInterval(() => void kick(ownerId, watched), deps.sweepMs);
    timer.unref();
    watched.stop = () => {
      clearInterval(timer);
      for (const remove of removers) remove();
    };
    return watched;
  }

  return {
    async watch(ownerId) {
      let watched = owners.get(ownerId);
      if (watched === undefined) {
        watched = await follow(ownerId);
        const raced = owners.get(ownerId);
        if (raced === undefined) owners.set(ownerId, watched);
        else {
          watched.stop();
          watched = raced;
        }
      }
      watched.clients += 1;
      const held = watched;
      // The caller's snapshot must include everything committed before it connected: project it now.
      await once(ownerId);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held.clients -= 1;
        if (held.clients === 0 && owners.get(ownerId) === held) {
          owners.delete(ownerId);
          held.stop();
        }
      };
    },
    async project(ownerId) {
      await once(ownerId);
    },
  };
}
