// What the step modules share: a step's type by its op, the owner of an answer, racers started together after a
// seeded jitter, and the shell plan the harness's playbooks run.
import type { Step } from '../scenario.ts';
import type { Answer } from './client.ts';
import { sleep, type ScenarioContext } from './context.ts';

export type StepOf<K extends Step['op']> = Extract<Step, { op: K }>;
export const owner = (body: Answer['body']) => ({ owner_id: body?.owner_id });

export const race = <T>(ctx: ScenarioContext, racers: number, one: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: racers }, async (_, i) => {
    await sleep(Math.floor(ctx.random() * 15));
    return one(i);
  }));

/** A shell plan printing a line every quarter second for `seconds`; `label` marks a workspace revision's variant. */
export const shellPlan = (seconds: number, label = 'repair') => {
  const ticks = Math.max(1, Math.round(seconds * 4));
  return { command: '/bin/sh', args: ['-c', `i=0; while [ $i -lt ${ticks} ]; do echo "${label} step $i"; sleep 0.25; i=$((i+1)); done; echo repaired >&2`] };
};

