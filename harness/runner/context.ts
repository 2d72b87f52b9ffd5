// What a scenario's steps and faults share while it runs: the API client, the recorder, the platform handle (for
// faults only), each tenant's labelled objects, the watches still following, and the scenario's seeded randomness.
import type { HarnessPlatform } from '../platform/platform.ts';
import type { Scenario } from '../scenario.ts';
import type { ApiClient } from './client.ts';
import type { Recorder } from './recorder.ts';

export interface Labelled {
  playbooks: Map<string, { id: number; key: string }>;
  instances: Map<string, { id: number }>;
  runs: Map<string, { id: number; instance_id: number }>;
  workspaces: Map<string, { id: number; instance_id: number }>;
}

export interface ScenarioContext {
  scenario: Scenario;
  slug: string;
  client: ApiClient;
  recorder: Recorder;
  platform: HarnessPlatform;
  labels: Map<string, Labelled>;
  watches: Promise<void>[];
  random(): number;
  /** Resolves once every tenant has reached step `index` (steps that look across tenants wait for the others). */
  barrier(index: number): Promise<void>;
  deadline: number;
  unmet: string[];
}

export const labelsOf = (ctx: ScenarioContext, tenant: string): Labelled => {
  let labelled = ctx.labels.get(tenant);
  if (!labelled) {
    labelled = { playbooks: new Map(), instances: new Map(), runs: new Map(), workspaces: new Map() };
    ctx.labels.set(tenant, labelled);
  }
  return labelled;
};

export function need<T>(map: Map<string, T>, label: string, what: string): T {
  const value = map.get(label);
  if (value === undefined) throw new Error(`${what} ${label} was not made (an earlier step failed)`);
  return value;
}

/** mulberry32: a small seeded generator, so a scenario's racer jitter repeats with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const slugOf = (name: string) => name.replace(/[^a-z0-9-]+/g, '-').replace(/-+$/, '');
