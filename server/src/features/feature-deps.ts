/** What every feature builder gets from the composition root: infrastructure, HTTP, the room log and snapshots. */
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { App } from '../http/fastify';
import type { Db } from '../ledger/db';
import type { RoomLog } from '../realtime/room-log';
import type { Snapshots } from '../realtime/snapshot';
import type { Keys } from '../redis/keys';
import type { Scripts } from '../redis/scripts';

export interface FeatureLog {
  info(o: object, m?: string): void;
  warn(o: object, m?: string): void;
  error(o: object, m?: string): void;
}

export interface FeatureDeps {
  config: Config;
  log: FeatureLog;
  app: App;
  redis: Redis;
  db: Db;
  keys: Keys;
  scripts: Scripts;
  roomLog: RoomLog;
  snapshots: Snapshots;
}
