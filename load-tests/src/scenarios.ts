/**
 * Every scenario the CLI knows: those that run today, and those waiting for their feature. A pending scenario is
 * listed with the issue it needs and refuses to run — never a stub that reports numbers for code that isn't there.
 */
import { auctionStormScenario } from './auction/auction-storm.scenario';
import { apiNodeKillScenario } from './chaos/api-node-kill.scenario';
import { postgresRestartScenario } from './chaos/postgres-restart.scenario';
import { redisKillScenario } from './chaos/redis-kill.scenario';
import { workerKillScenario } from './chaos/worker-kill.scenario';
import { flashSaleScenario } from './commerce/flash-sale.scenario';
import { settlementScenario } from './commerce/settlement.scenario';
import { redisCeilingScenario } from './http/redis-ceiling.scenario';
import { snapshotScenario } from './http/snapshot.scenario';
import { lotteryStormScenario } from './lottery/lottery-storm.scenario';
import { mediaViewersScenario } from './media/viewers.scenario';
import { fanoutScenario } from './realtime/fanout.scenario';
import { joinBurstScenario } from './realtime/join-burst.scenario';
import { likeStormScenario } from './realtime/like-storm.scenario';
import { swarmMemoryScenario } from './realtime/swarm-memory.scenario';
import type { PendingScenario, ScenarioDef } from './scenario';

export const SCENARIOS: ScenarioDef[] = [
  fanoutScenario,
  joinBurstScenario,
  likeStormScenario,
  lotteryStormScenario,
  snapshotScenario,
  flashSaleScenario,
  settlementScenario,
  swarmMemoryScenario,
  redisCeilingScenario,
  mediaViewersScenario,
  redisKillScenario,
  workerKillScenario,
  postgresRestartScenario,
  auctionStormScenario,
  apiNodeKillScenario,
] as unknown as ScenarioDef[];

export const PENDING: PendingScenario[] = [
  {
    name: 'chaos-media-worker',
    summary: 'kill -9 a mediasoup worker of a live with 50 viewers: 99 % get media again within 10 s',
    benchmark: '#11',
    needsIssue: 16,
  },
];

export const findScenario = (name: string) => SCENARIOS.find((s) => s.name === name);
export const findPending = (name: string) => PENDING.find((s) => s.name === name);
