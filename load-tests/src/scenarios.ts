/**
 * Every scenario the CLI knows: those that run today, and those waiting for their feature. A pending scenario is
 * listed with the issue it needs and refuses to run — never a stub that reports numbers for code that isn't there.
 */
import { redisCeilingScenario } from './http/redis-ceiling.scenario';
import { snapshotScenario } from './http/snapshot.scenario';
import { fanoutScenario } from './realtime/fanout.scenario';
import { joinBurstScenario } from './realtime/join-burst.scenario';
import { likeStormScenario } from './realtime/like-storm.scenario';
import { swarmMemoryScenario } from './realtime/swarm-memory.scenario';
import type { PendingScenario, ScenarioDef } from './scenario';

export const SCENARIOS: ScenarioDef[] = [
  fanoutScenario,
  joinBurstScenario,
  likeStormScenario,
  snapshotScenario,
  swarmMemoryScenario,
  redisCeilingScenario,
] as unknown as ScenarioDef[];

export const PENDING: PendingScenario[] = [
  {
    name: 'flash-sale',
    summary: 'reserve attempts/s over HTTP (autocannon) vs bare hello; oversold = 0, one order per key',
    benchmark: '#4',
    needsIssue: 5,
    featureLanded: true,
  },
  {
    name: 'settlement',
    summary: 'orders settled after the live ends; exactly once',
    benchmark: '#8',
    needsIssue: 5,
    featureLanded: true,
  },
  {
    name: 'lottery-storm',
    summary: 'N entries; exactly K distinct winners, recomputed with the verifier',
    needsIssue: 6,
    featureLanded: true,
  },
  {
    name: 'media-viewers',
    summary: 'N WebRTC consumers from Node (msc-node); loss, bitrate, consumers per worker',
    benchmark: '#7',
    needsIssue: 3,
    featureLanded: true,
  },
];

export const findScenario = (name: string) => SCENARIOS.find((s) => s.name === name);
export const findPending = (name: string) => PENDING.find((s) => s.name === name);
