// How /openapi.json describes a Server-Sent Events stream under OpenAPI 3.1, which has no event type of its own:
// the text/event-stream schema is the shape of ONE frame (what OpenAPI 3.2 calls itemSchema), a union with one
// member per data schema whose `event` names the events that carry it.
import { z } from 'zod';

export function streamFrame(events: Record<string, z.ZodType>): z.ZodType {
  const bySchema = new Map<z.ZodType, string[]>();
  for (const [name, schema] of Object.entries(events)) bySchema.set(schema, [...(bySchema.get(schema) ?? []), name]);
  const members = [...bySchema].map(([schema, names]) =>
    z.object({
      id: z.string().meta({ description: 'The event id: send it back as Last-Event-ID (or ?cursor=) to resume after it' }),
      event: names.length === 1 ? z.literal(names[0]!) : z.enum(names as [string, ...string[]]),
      data: schema,
    }),
  );
  const frame = members.length === 1 ? members[0]! : z.union(members as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  return frame.meta({ description: 'One event frame of the stream (id:, event:, data: lines); the data line holds the JSON shown' });
}
