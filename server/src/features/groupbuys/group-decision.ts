/** Records a decided group (filled or expired) and its members in the ledger, from its Redis state. */
import type { GroupBuyGroup } from '@lc/contracts/groupbuy.schema';
import type { Redis } from 'ioredis';
import type { GroupBuysRepo } from '../../ledger/group-buys.repo';
import type { Keys } from '../../redis/keys';
import type { MemberRecord } from './group-state';

export async function recordDecision(
  deps: { redis: Redis; keys: Keys; repo: Pick<GroupBuysRepo, 'recordDecision'> },
  liveId: string,
  g: Pick<GroupBuyGroup, 'id' | 'offerId' | 'leader'> & { status: 'filled' | 'expired' | 'open' },
): Promise<void> {
  if (g.status === 'open') return;
  const all = await deps.redis.hgetall(deps.keys.groupMembers(liveId, g.id));
  const members = Object.entries(all).map(([userId, raw]) => {
    const m = JSON.parse(raw) as MemberRecord;
    return { userId, reservationId: m.r, via: m.via ? m.via : null, joinedAt: m.at };
  });
  if (members.length === 0) return;
  await deps.repo.recordDecision({
    id: g.id,
    offerId: g.offerId,
    liveId,
    leaderId: g.leader.id,
    status: g.status,
    members,
  });
}
