/**
 * Flash sales: the host schedules (ledger + the sale's Redis state), viewers reserve through one Lua gate
 * (sale-reserve-10.lua: idempotency, window, fair admission, limits, stock, hold), and anyone reads the sale
 * with server deadlines. Reserving is the hot path: one script call, no ledger read.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import {
  COMMERCE_EVENT,
  Reservation,
  type ReserveBody,
  type Sale,
  type ScheduleSaleBody,
} from '@lc/contracts/commerce.schema';
import { AppError, type ErrorBody } from '@lc/contracts/errors';
import type { Redis } from 'ioredis';
import type { SalesRepo } from '../../../ledger/sales.repo';
import type { RoomLog } from '../../../realtime/room-log';
import type { Keys } from '../../../redis/keys';
import { guardRedis, runScript } from '../../../redis/outage';
import { checkScript, scriptError, scriptRefusal } from '../../../redis/script-results';
import type { Scripts } from '../../../redis/scripts';
import { idemField, requestHash } from '../idempotency';
import type { LiveGate } from '../live-gate';
import type { ProductsService } from '../products/products.service';
import { activeMember, initialSaleHash, reserveKeys, saleView } from './sale-state';
import type { StockAnnouncer } from './stock-announcer';

export interface SalesSettings {
  /** Attempts this long after open are admitted in random order (0: first come, first served). */
  fairWindowMs: number;
  /** How long a reservation holds its units before payment must start. */
  reservationTtlMs: number;
  /** Queued attempts one script call admits during the fair pass. */
  fairChunk?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A reserve attempt the sale turned down (sold out, limit, window, key reused): the public error, not thrown. */
export interface Refusal {
  refused: ErrorBody & { status: number };
}
export const isRefusal = (r: Reservation | Refusal): r is Refusal => 'refused' in r;

export function createSalesService(deps: {
  repo: SalesRepo;
  products: ProductsService;
  redis: Redis;
  keys: Keys;
  scripts: Scripts;
  roomLog: RoomLog;
  gate: LiveGate;
  announcer: StockAnnouncer;
  settings: SalesSettings;
  now?: () => number;
}) {
  const { redis, keys, scripts, roomLog, gate } = deps;
  const now = deps.now ?? Date.now;
  const chunk = deps.settings.fairChunk ?? 256;
  /**
   * `liveId saleId` → the KEYS of sale-reserve (they name the sale's product, which never changes) and whether it
   * is a replay sale (written with the sale, never changed): bounded.
   */
  const saleKeys = new Map<string, { keys: string[]; replay: boolean }>();
  /** `saleId quantity` → request fingerprint: a pure function of them, so computed once (bounded). */
  const reserveHashes = new Map<string, string>();
  const reserveHash = (liveId: string, saleId: string, quantity: number) => {
    const k = `${liveId} ${saleId} ${quantity}`;
    let h = reserveHashes.get(k);
    if (h === undefined) {
      h = requestHash('reserve', liveId, saleId, quantity);
      if (reserveHashes.size >= 10_000) reserveHashes.delete(reserveHashes.keys().next().value!);
      reserveHashes.set(k, h);
    }
    return h;
  };

  /** @throws SALE_NOT_FOUND */
  const reserveKeysOf = async (liveId: string, saleId: string) => {
    const k = `${liveId} ${saleId}`;
    const hit = saleKeys.get(k);
    if (hit) return hit;
    const [pid, replay] = await guardRedis(() =>
      redis.hmget(keys.sale(liveId, saleId), 'productId', 'replay'),
    );
    if (!pid) throw new AppError('SALE_NOT_FOUND', 'no such sale in this live');
    if (saleKeys.size >= 50_000) saleKeys.delete(saleKeys.keys().next().value!);
    const entry = { keys: reserveKeys(keys, liveId, saleId, pid), replay: replay === '1' };
    saleKeys.set(k, entry);
    return entry;
  };

  const isReplaySale = async (liveId: string, saleId: string) =>
    (await reserveKeysOf(liveId, saleId).catch(() => undefined))?.replay === true;

  /** @throws SALE_NOT_FOUND */
  const get = async (liveId: string, saleId: string): Promise<Sale> => {
    const view = saleView(await guardRedis(() => redis.hgetall(keys.sale(liveId, saleId))), now());
    if (!view || view.liveId !== liveId) throw new AppError('SALE_NOT_FOUND', 'no such sale in this live');
    return view;
  };

  const list = async (liveId: string): Promise<Sale[]> => {
    const ids = await guardRedis(() => redis.smembers(keys.sales(liveId)));
    if (ids.length === 0) return [];
    const pipe = redis.pipeline();
    for (const id of ids) pipe.hgetall(keys.sale(liveId, id));
    const res = (await guardRedis(() => pipe.exec())) ?? [];
    const at = now();
    return (
      res
        // NOTE: the one-unit sale behind an auction is the auction's (features/auctions), the sale behind a
        // group-buy offer the offer's (features/groupbuys) and a replay sale the replay's (features/replay):
        // none is a flash sale.
        .filter(([, h]) => {
          const x = h as Record<string, string>;
          return !x.auctionId && !x.groupBuyId && !x.replay;
        })
        .map(([, h]) => saleView(h as Record<string, string>, at))
        .filter((s): s is Sale => s !== undefined)
        .sort((a, b) => a.opensAt - b.opensAt || a.id.localeCompare(b.id))
    );
  };

  /** Cuts a sale's window at `at`; true when this call closed it. */
  const closeOne = async (liveId: string, saleId: string, at: number): Promise<boolean> => {
    const [code] = await runScript<[number]>(scripts, 'sale-close', [keys.sale(liveId, saleId)], [at]);
    checkScript('sale-close', code);
    if (code === 1) {
      await deps.repo.close(saleId, at);
      await roomLog.append(liveId, COMMERCE_EVENT.saleClosed, { saleId, closesAt: at });
      deps.announcer.touch(liveId, saleId);
    }
    return code === 1;
  };

  /**
   * One reserve attempt: the reservation, or the refusal as a value (see Refusal). Inside the fair window it
   * waits until the window's pass has decided it. The same key and body always get the first outcome.
   * @throws SERVICE_UNAVAILABLE (Redis down, or the fair pass never finished), LIVE_NOT_FOUND
   */
  const attempt = async (
    user: TokenClaims,
    liveId: string,
    saleId: string,
    key: string,
    body: ReserveBody,
    opts: { replay?: boolean } = {},
  ): Promise<Reservation | Refusal> => {
    // NOTE: a replay sale sells only from the replay, whose route read the live ended (fresh: this node's gate
    // may still say `live` for a second); an ended live sells only through its replay sales.
    if (!opts.replay && (await gate.status(liveId)) === 'ended') {
      return { refused: scriptRefusal('sale-reserve', -3) };
    }
    const sale = await reserveKeysOf(liveId, saleId);
    if (sale.replay !== Boolean(opts.replay)) return { refused: scriptRefusal('sale-reserve', -3) };
    const sKeys = sale.keys;
    const field = idemField(user.sub, key);
    const hash = reserveHash(liveId, saleId, body.quantity);
    const resId = randomUUID();
    const ticket = (randomInt(0, 2 ** 47) / 2 ** 47).toFixed(15);
    // NOTE: checked by the script itself, so a ban takes effect on the very next attempt whatever token cache.
    const banMembers = user.dev ? `u:${user.sub} d:${user.dev}` : `u:${user.sub}`;
    const run = (mode: 'reserve' | 'poll') =>
      runScript<[number, string | number]>(scripts, 'sale-reserve', sKeys, [
        mode,
        now(),
        field,
        hash,
        user.sub,
        body.quantity,
        resId,
        ticket,
        deps.settings.reservationTtlMs,
        chunk,
        banMembers,
      ]);
    let [code, payload] = await run('reserve');
    const giveUpAt = performance.now() + deps.settings.fairWindowMs + 30_000;
    while (code === 3) {
      // NOTE: pending inside the fair window; wake at its end (server clock) and ask for the outcome.
      if (performance.now() > giveUpAt) {
        throw new AppError('SERVICE_UNAVAILABLE', 'the fair admission pass did not finish in time');
      }
      await sleep(Math.max(2, Math.min(Number(payload) - now(), 250)) + Math.random() * 5);
      [code, payload] = await run('poll');
    }
    if (code < 0) return { refused: scriptRefusal('sale-reserve', code, payload) };
    const rec = JSON.parse(String(payload)) as { c: number; b?: unknown };
    deps.announcer.touch(liveId, saleId);
    if (rec.c !== 1) return { refused: scriptRefusal('sale-reserve', rec.c) };
    // NOTE: written by the script from validated input; the route's response schema checks it on the way out.
    return rec.b as Reservation;
  };

  return {
    get,
    list,
    /**
     * Schedules a sale of `units` of a product (drawn from its stock) at a deal price.
     * @throws FORBIDDEN, LIVE_NOT_FOUND, LIVE_ENDED, PRODUCT_NOT_FOUND, INSUFFICIENT_STOCK, VALIDATION
     */
    async schedule(user: TokenClaims, liveId: string, body: ScheduleSaleBody): Promise<Sale> {
      await gate.requireHost(user, liveId, { open: true });
      const at = now();
      if (body.opensAt < at - 1000) throw new AppError('VALIDATION', 'opensAt is in the past');
      if (body.perUserLimit > body.units) {
        throw new AppError('VALIDATION', 'perUserLimit cannot exceed the units on sale');
      }
      const product = await deps.products.get(liveId, body.productId);
      const id = randomUUID();
      const closesAt = body.opensAt + body.durationSec * 1000;
      const config = {
        id,
        liveId,
        productId: product.id,
        title: product.title,
        imageUrl: product.imageUrl,
        listPrice: product.price,
        dealPrice: body.dealPrice,
        currency: product.currency,
        units: body.units,
        perUserLimit: body.perUserLimit,
        productPerUserLimit: product.perUserLimit,
        countdownAt: body.opensAt - body.countdownSec * 1000,
        opensAt: body.opensAt,
        closesAt,
        fairUntil: Math.min(body.opensAt + deps.settings.fairWindowMs, closesAt),
      };
      const updated = await deps.repo.insert({ ...config, fairWindowMs: config.fairUntil - config.opensAt });
      await deps.products.refresh(updated);
      await runScript(
        scripts,
        'sale-create',
        [keys.sale(liveId, id), keys.sales(liveId)],
        initialSaleHash(config),
      );
      await redis.zadd(keys.activeSales, closesAt, activeMember(liveId, id));
      const sale = await get(liveId, id);
      await roomLog.append(liveId, COMMERCE_EVENT.saleScheduled, { sale });
      return sale;
    },
    /** Ends a sale's window now (holds stay valid until their deadline). @throws FORBIDDEN, SALE_NOT_FOUND */
    async close(user: TokenClaims, liveId: string, saleId: string): Promise<Sale> {
      await gate.requireHost(user, liveId);
      await get(liveId, saleId);
      await closeOne(liveId, saleId, now());
      return get(liveId, saleId);
    },
    /** Closes every sale of a live (the live ended). Idempotent. */
    async closeAll(liveId: string, at = now()): Promise<void> {
      const ids = await redis.smembers(keys.sales(liveId));
      for (const id of ids) await closeOne(liveId, id, at);
    },
    /**
     * Reserves units of a sale for the caller under an Idempotency-Key. Inside the fair window the call
     * waits until the window's pass has decided it. The same key and body always get the first outcome.
     * @throws SALE_NOT_FOUND, SALE_NOT_OPEN, SALE_ENDED, SOLD_OUT, PURCHASE_LIMIT, IDEMPOTENCY_MISMATCH,
     *   SERVICE_UNAVAILABLE
     */
    async reserve(
      user: TokenClaims,
      liveId: string,
      saleId: string,
      key: string,
      body: ReserveBody,
    ): Promise<Reservation> {
      const r = await attempt(user, liveId, saleId, key, body);
      if (!isRefusal(r)) return r;
      const { code, message, details } = r.refused;
      throw new AppError(code, message, details);
    },
    attempt,
    isReplaySale,
    /** The caller's reservations in the live, newest first. */
    async mine(liveId: string, userId: string): Promise<Reservation[]> {
      const ids =
        (await guardRedis(() => redis.hget(keys.userReservations(liveId), userId)))?.split(' ') ?? [];
      if (ids.length === 0) return [];
      const raws = await redis.hmget(keys.reservations(liveId), ...ids);
      return raws
        .filter((r): r is string => r !== null)
        .map((r) => Reservation.parse(JSON.parse(r)))
        .sort((a, b) => b.createdAt - a.createdAt);
    },
    /** @throws RESERVATION_NOT_FOUND (also for someone else's) */
    async reservation(user: TokenClaims, liveId: string, reservationId: string): Promise<Reservation> {
      const raw = await guardRedis(() => redis.hget(keys.reservations(liveId), reservationId));
      const r = raw ? Reservation.parse(JSON.parse(raw)) : undefined;
      if (!r || r.userId !== user.sub) throw scriptError('reservation-pay', -8);
      return r;
    },
  };
}
export type SalesService = ReturnType<typeof createSalesService>;
