/**
 * The end-of-live registration point. Features (commerce, lottery, reports) register idempotent steps; when a
 * live ends, the `end-live-<liveId>` job fans out one job per step with the id `<step>-<liveId>`, so a step runs
 * once per live however often the end is triggered, and a failing step retries alone.
 */

import type { Redis } from 'ioredis';
import type { Db } from '../ledger/db';
import type { Keys } from '../redis/keys';

export interface StepContext {
  liveId: string;
  endedAt: string;
  db: Db;
  redis: Redis;
  keys: Keys;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  progress(p: object | number): Promise<void>;
}

export interface EndOfLiveStep {
  /** kebab-case; part of the job id. */
  name: string;
  /** Must be idempotent: running it again after success changes nothing. */
  run(ctx: StepContext): Promise<unknown>;
  /**
   * Set when the step reads the live's room keys, which the `room-keys` step releases after it:
   * `'reads'` — cheap and idempotent: room-keys runs it (again) right before the release;
   * `{ done }` — room-keys waits (re-running itself later) until `done` says the step has finished.
   */
  roomKeys?: 'reads' | { done(ctx: StepContext): Promise<boolean> };
}

export function createStepRegistry() {
  const steps = new Map<string, EndOfLiveStep>();
  return {
    register(step: EndOfLiveStep) {
      if (!/^[a-z][a-z0-9-]*$/.test(step.name)) throw new Error(`bad step name ${step.name}`);
      if (steps.has(step.name)) throw new Error(`step ${step.name} registered twice`);
      steps.set(step.name, step);
    },
    get: (name: string) => steps.get(name),
    list: () => [...steps.values()],
  };
}
export type StepRegistry = ReturnType<typeof createStepRegistry>;
