/**
 * CI smoke of `chaos worker` at tiny scale: a private PostgreSQL ledger, Redis, an API node and the job worker in
 * its own process, the worker SIGKILLed twice while it runs the settlement job. Verdicts only. Then the proof
 * that they can fail: with BullMQ's default of one allowed stall (`JOB_MAX_STALLED=1`) the second crash fails the
 * job and the live stays unsettled.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run';
import type { ScenarioDef } from '../scenario';
import { workerKillScenario } from './worker-kill.scenario';

const none = { label: 'none', url: '', resources: { kind: 'none' as const }, stop: async () => {} };
const run = (extra: Record<string, string> = {}) =>
  runScenario({
    def: workerKillScenario as unknown as ScenarioDef,
    options: workerKillScenario.options.parse({
      // Enough orders that the job runs a while, killed as soon as a worker picked it up: each kill lands.
      orders: '200',
      unpaid: '4',
      buyers: '4',
      kills: '2',
      killWithinMs: '0',
      lockMs: '1000',
      concurrency: '8',
      settleWait: '90',
      ...extra,
    }),
    target: { kind: 'endpoint', endpoint: none },
    baselines: 'in-process',
  });

describe('chaos worker at tiny scale (real kill -9 of the job worker)', () => {
  it('settles every paid order exactly once although the worker died twice mid-settlement', async () => {
    const r = await run();
    expect(r.verdicts.filter((v) => !v.pass)).toEqual([]);
    expect(r.metrics).toMatchObject({ orders: 200, kills_mid_job: 2 });
  }, 420_000);

  it('FAILS with BullMQ’s default of one allowed stall: the job fails after the second crash', async () => {
    const r = await run({ jobMaxStalled: '1', settleWait: '30' });
    expect(r.pass).toBe(false);
    const failed = r.verdicts.filter((v) => !v.pass).map((v) => v.name);
    expect(failed, JSON.stringify(r.verdicts, null, 1)).toEqual(
      expect.arrayContaining([
        'the settlement job completed despite the faults',
        'every paid order settled exactly once in the ledger',
      ]),
    );
    expect(String(r.details?.failedReason)).toMatch(/stalled more than allowable limit/);
  }, 420_000);
});
