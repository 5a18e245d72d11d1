/**
 * `lottery:won` to a user's sockets on every API node, from any process (the worker has no Socket.IO server):
 * the Socket.IO Redis emitter publishes on the adapter's channel, and each node's adapter delivers to its
 * local members of the user's room. Best effort, like any socket fact: "my prizes" is the record.
 */

import type { ServerToClientEvents } from '@lc/contracts/events';
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import type { PrizeRow } from '../../ledger/lottery-prizes.repo';
import { userRoom } from '../../realtime/types';
import type { Keys } from '../../redis/keys';
import { toMyPrize } from './lottery-claims';

export function prizeNotifier(redis: Redis, keys: Keys) {
  const emitter = new Emitter<ServerToClientEvents>(redis, { key: keys.adapterChannel });
  return (offers: PrizeRow[]) => {
    for (const o of offers)
      emitter.to(userRoom(o.userId)).emit('lottery:won', { liveId: o.liveId, prize: toMyPrize(o) });
  };
}
