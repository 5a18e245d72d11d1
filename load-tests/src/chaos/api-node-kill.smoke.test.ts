/**
 * CI smoke of `chaos api-node` at tiny scale: two API nodes behind the failover proxy, node 1 SIGKILLed during a
 * comment storm, its clients back on node 2 by `lastSeq`, its vanished viewers swept. Then the proof that the
 * verdicts can fail: clients that rejoin without `lastSeq` (`--resume off`) miss the seqs of their outage, and a
 * survivor that waits 10 minutes before sweeping a silent node (`--sweep off`) keeps the vanished viewers online.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../run';
import type { ScenarioDef } from '../scenario';
import { apiNodeKillScenario } from './api-node-kill.scenario';

const none = { label: 'none', url: '', resources: { kind: 'none' as const }, stop: async () => {} };
const run = (extra: Record<string, string> = {}) =>
  runScenario({
    def: apiNodeKillScenario as unknown as ScenarioDef,
    options: apiNodeKillScenario.options.parse({
      viewers: '30',
      commenters: '3',
      rate: '20',
      before: '3',
      after: '5',
      leavers: '4',
      ...extra,
    }),
    target: { kind: 'endpoint', endpoint: none },
    baselines: 'in-process',
  });

describe('chaos api-node at tiny scale (real kill -9 of an API node)', () => {
  it('moves the dead node’s clients to the survivor with every seq once and the online count back to truth', async () => {
    const r = await run();
    expect(r.verdicts.filter((v) => !v.pass)).toEqual([]);
    expect(Number(r.metrics.on_killed_node)).toBeGreaterThan(0);
  }, 420_000);

  it('FAILS when clients rejoin without lastSeq and the survivor does not sweep the dead node in time', async () => {
    const r = await run({ resume: 'off', sweep: 'off' });
    expect(r.pass).toBe(false);
    const failed = r.verdicts.filter((v) => !v.pass).map((v) => v.name);
    expect(failed, JSON.stringify(r.verdicts, null, 1)).toEqual([
      'viewers resumed by seq: every seq applied exactly once, no snapshot',
      'the online count returned to the truth in time',
    ]);
  }, 420_000);
});
