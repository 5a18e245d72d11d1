/**
 * The server's one entry for tools: what the load-test kit and scripts/ may use of the server besides the
 * shared contracts (@lc/contracts). Anything else under server/src is internal; biome's noRestrictedImports
 * refuses other imports from client/, load-tests/ and scripts/ (see biome.json).
 */
export { type Config, ConfigError, loadConfig } from './config';
export { verifySignature } from './features/commerce/payments/webhook-signature';
export { commerceKeysOf } from './features/commerce/settlement/release-keys';
export { COMMERCE_SETTLEMENT_STEP } from './features/commerce/settlement/settlement.jobs';
// Growth: the level/badge recompute benchmark (load-tests/src/growth/recompute-bench.ts).
export { createFanLevels } from './features/growth/fan-levels';
export { createSegments } from './features/growth/segments';
export { jobId, QUEUE } from './jobs/queues';
export { openDb } from './ledger/db';
export { type LocalPostgres, startLocalPostgres } from './ledger/local-postgres';
export { runMigrations } from './ledger/migrate';
export { freePort } from './redis/free-port';
export { createKeys, type Keys } from './redis/keys';
export { type LocalRedis, startLocalRedis } from './redis/local-redis';
export { buildWorker } from './worker-app';
