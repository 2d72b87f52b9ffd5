// Which playbook the catalog selects for a quarantined instance. The rule, in order:
// 1. only playbooks whose selector says `on_quarantine: true` are candidates (others run only when asked for);
// 2. every constraint a selector names (server_ids, drivers, isolation_tiers) must match the instance;
// 3. the most specific candidate wins (most constraints named), then the highest `priority`, then the lowest id.
import { z } from 'zod';

export const playbookSelector = z.strictObject({
  on_quarantine: z.boolean().default(false),
  server_ids: z.array(z.number().int().positive()).min(1).optional(),
  drivers: z.array(z.string().min(1)).min(1).optional(),
  isolation_tiers: z.array(z.string().min(1)).min(1).optional(),
  priority: z.number().int().min(-1000).max(1000).default(0),
});
export type PlaybookSelector = z.infer<typeof playbookSelector>;

export interface SelectableInstance {
  server_id: number;
  driver: string;
  isolation_tier: string;
}

export interface SelectablePlaybook {
  id: number;
  selector: unknown;
}

function constraints(selector: PlaybookSelector, instance: SelectableInstance): boolean[] | undefined {
  const checks: boolean[] = [];
  if (selector.server_ids) checks.push(selector.server_ids.includes(instance.server_id));
  if (selector.drivers) checks.push(selector.drivers.includes(instance.driver));
  if (selector.isolation_tiers) checks.push(selector.isolation_tiers.includes(instance.isolation_tier));
  return checks.every(Boolean) ? checks : undefined;
}

export function selectPlaybook<P extends SelectablePlaybook>(playbooks: readonly P[], instance: SelectableInstance): P | undefined {
  let best: { playbook: P; specificity: number; priority: number } | undefined;
  for (const playbook of playbooks) {
    const parsed = playbookSelector.safeParse(playbook.selector);
    if (!parsed.success || !parsed.data.on_quarantine) continue;
    const matched = constraints(parsed.data, instance);
    if (matched === undefined) continue;
    const candidate = { playbook, specificity: matched.length, priority: parsed.data.priority };
    const better =
      best === undefined ||
      candidate.specificity > best.specificity ||
      (candidate.specificity === best.specificity && candidate.priority > best.priority) ||
      (candidate.specificity === best.specificity && candidate.priority === best.priority && playbook.id < best.playbook.id);
    if (better) best = candidate;
  }
  return best?.playbook;
}
