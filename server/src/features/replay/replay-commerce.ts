/**
 * Buying from the replay (#17): a viewer watching a live's published recording buys a product shown during the
 * live (one of its chapters names it) at the product's list price, through commerce's own gate — a replay sale
 * per product (ledger `sales.source = 'replay'`, Redis hash flag `replay`) reserved by sale-reserve, paid by the
 * normal pay route, recorded as an order marked `replay` with the buyer's position in the recording. The live's
 * own mechanics stay closed: an ended live refuses its flash sales, and a replay sale sells only from here.
 * Each purchase queues the `replay-settlement` step for its minute (settled once its holds are decided).
 */
import { randomUUID } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import type { Reservation } from '@lc/contracts/commerce.schema';
import { AppError } from '@lc/contracts/errors';
import type { Chapter, ReplayReserveBody } from '@lc/contracts/replay.schema';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ReplaySaleRow, ReplaySalesRepo } from '../../ledger/replay-sales.repo';
import type { Keys } from '../../redis/keys';
import { guardRedis, runScript } from '../../redis/outage';
import type { Scripts } from '../../redis/scripts';
import type { CommerceServices } from '../commerce/commerce.services';
import { activeMember, initialSaleHash } from '../commerce/sales/sale-state';
import { isRefusal } from '../commerce/sales/sales.service';
import type { LivesService } from '../lives/lives.service';
import type { ReplayService } from './replay.service';

/** A replay sale stays open as long as its recording exists (far future; closed by nothing but stock). */
const REPLAY_SALE_YEARS = 100;
const SETTLE_BUCKET_MS = 60_000;

export function createReplayCommerce(deps: {
  repo: ReplaySalesRepo;
  replay: Pick<ReplayService, 'get'>;
  lives: Pick<LivesService, 'get'>;
  commerce: Pick<CommerceServices, 'sales'>;
  redis: Redis;
  keys: Keys;
  scripts: Scripts;
  endQueue: Pick<Queue, 'add'>;
  /** Longest a hold stays undecided (reservation TTL + payment timeout) plus slack. */
  settleAfterMs: number;
  now?: () => number;
}) {
  const { redis, keys, scripts } = deps;
  const now = deps.now ?? Date.now;
  /** `liveId productId` → the replay sale this node already made sure of in Redis (bounded). */
  const ready = new Map<string, ReplaySaleRow>();
  const settledLives = new Set<string>();

  /** @throws REPLAY_NOT_READY */
  const requireSettled = async (liveId: string) => {
    if (settledLives.has(liveId)) return;
    if (!(await deps.repo.liveSettled(liveId))) {
      throw new AppError('REPLAY_NOT_READY', 'the live’s own sales are still being settled');
    }
    settledLives.add(liveId);
  };

  /** The product's replay sale, in the ledger and in Redis. @throws SOLD_OUT, PRODUCT_NOT_FOUND */
  const saleOf = async (liveId: string, productId: string): Promise<ReplaySaleRow> => {
    const k = `${liveId} ${productId}`;
    const hit = ready.get(k);
    if (hit) return hit;
    const at = now();
    const sale = await deps.repo.ensure(liveId, productId, randomUUID(), {
      opensAt: at,
      closesAt: at + REPLAY_SALE_YEARS * 365 * 86_400_000,
    });
    if (!sale) throw new AppError('SOLD_OUT', 'no unit of this product is left');
    const config = {
      id: sale.id,
      liveId,
      productId,
      title: sale.title,
      imageUrl: sale.imageUrl,
      listPrice: sale.price,
      dealPrice: sale.price,
      currency: sale.currency,
      units: sale.units,
      perUserLimit: sale.perUserLimit,
      productPerUserLimit: sale.productPerUserLimit,
      countdownAt: sale.opensAt,
      opensAt: sale.opensAt,
      closesAt: sale.closesAt,
      fairUntil: sale.opensAt,
    };
    // NOTE: sale-create is a no-op when the hash exists, so nodes racing here create it once.
    await runScript(
      scripts,
      'sale-create',
      [keys.sale(liveId, sale.id), keys.sales(liveId)],
      [...initialSaleHash(config), 'replay', '1'],
    );
    // The live's settlement set its shared commerce hashes to expire (a grace for late webhooks); the replay's
    // reservations, idempotency records and buyers live in them too, so they now stay.
    await guardRedis(() =>
      redis
        .pipeline()
        .zadd(keys.activeSales, sale.closesAt, activeMember(liveId, sale.id))
        .persist(keys.reservations(liveId))
        .persist(keys.userReservations(liveId))
        .persist(keys.idempotency(liveId))
        .persist(keys.buyers(liveId))
        .persist(keys.couponUses(liveId))
        .persist(keys.productUsers(liveId, productId))
        .exec(),
    );
    if (ready.size >= 10_000) ready.delete(ready.keys().next().value!);
    ready.set(k, sale);
    return sale;
  };

  const chapterAt = (chapters: readonly Chapter[], offsetMs: number): number | null => {
    let found: number | null = null;
    chapters.forEach((c, i) => {
      if (c.offsetMs <= offsetMs) found = i;
    });
    return found;
  };

  const scheduleSettlement = async (liveId: string, endedAt: string) => {
    const at = Math.ceil((now() + 1) / SETTLE_BUCKET_MS) * SETTLE_BUCKET_MS + deps.settleAfterMs;
    await deps.endQueue.add(
      'replay-settlement',
      { liveId, endedAt },
      { jobId: `replay-settlement-${liveId}-${at}`, delay: Math.max(0, at - now()) },
    );
  };

  return {
    /**
     * Reserves a product shown in the live from its replay, under the caller's Idempotency-Key (the same key and
     * body get the first outcome), attributed to the position `offsetMs`. Pay it with the normal pay route.
     * @throws LIVE_NOT_FOUND, RECORDING_NOT_FOUND, RECORDING_NOT_PUBLISHED, REPLAY_NOT_READY,
     *   REPLAY_PRODUCT_NOT_SHOWN, VALIDATION (offset past the end), PRODUCT_NOT_FOUND, SOLD_OUT, PURCHASE_LIMIT,
     *   IDEMPOTENCY_MISMATCH, BANNED, SERVICE_UNAVAILABLE
     */
    async reserve(
      user: TokenClaims,
      liveId: string,
      key: string,
      body: ReplayReserveBody,
    ): Promise<Reservation> {
      const rec = await deps.replay.get(liveId, user);
      const live = await deps.lives.get(liveId);
      if (live.status !== 'ended' || !live.endedAt || !rec.chapters) {
        throw new AppError('REPLAY_NOT_READY', 'buying from the replay opens once the live is over');
      }
      if (!rec.chapters.some((c) => c.productId === body.productId)) {
        throw new AppError('REPLAY_PRODUCT_NOT_SHOWN', 'this product was not shown in the live');
      }
      if (body.offsetMs > rec.durationMs)
        throw new AppError('VALIDATION', 'offsetMs is past the recording’s end');
      await requireSettled(liveId);
      const sale = await saleOf(liveId, body.productId);
      const r = await deps.commerce.sales.attempt(
        user,
        liveId,
        sale.id,
        key,
        { quantity: body.quantity },
        { replay: true },
      );
      if (isRefusal(r)) {
        const { code, message, details } = r.refused;
        throw new AppError(code, message, details);
      }
      await deps.repo.attribute({
        reservationId: r.id,
        liveId,
        userId: user.sub,
        offsetMs: body.offsetMs,
        chapter: chapterAt(rec.chapters, body.offsetMs),
      });
      await scheduleSettlement(liveId, live.endedAt);
      return r;
    },
  };
}
export type ReplayCommerce = ReturnType<typeof createReplayCommerce>;
