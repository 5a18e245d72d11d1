/**
 * What the settlement scenario needs before the live ends: a live with one product and one open sale, buyers
 * that reserve (over HTTP, with Idempotency-Keys) and pay through the simulated provider, some holds left
 * unpaid on purpose, and the ledger read back per buyer. Response bodies are parsed with the shared contracts.
 */
import { randomUUID } from 'node:crypto';
import {
  CommerceReport,
  Order,
  PaymentStarted,
  Product,
  Reservation,
  Sale,
} from '@lc/contracts/commerce.schema';
import { z } from 'zod';
import { guestTokens, hostWithLive } from '../lib/project-api';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** One JSON request; non-2xx answers throw HttpError with the server's stable error code. */
export async function api(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; idempotencyKey?: string } = {},
): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (res.status >= 400) {
    const code = (body as { error?: { code?: string } } | undefined)?.error?.code ?? `HTTP_${res.status}`;
    throw new HttpError(res.status, code, `${method} ${path} answered ${res.status} ${code}`);
  }
  return body;
}

/** Runs `fn(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SaleSetup {
  hostToken: string;
  liveId: string;
  productId: string;
  saleId: string;
}

/** A started live with one product holding `units` and one sale of all of them, open now. */
export async function liveWithOpenSale(
  base: string,
  units: number,
  perUserLimit: number,
): Promise<SaleSetup> {
  const { hostToken, liveId } = await hostWithLive(base, 'settlement load test');
  const product = Product.parse(
    await api(base, 'POST', `/api/lives/${liveId}/products`, {
      token: hostToken,
      body: { title: 'Load-test tea', price: 9900, currency: 'CNY', stock: units },
    }),
  );
  const sale = Sale.parse(
    await api(base, 'POST', `/api/lives/${liveId}/sales`, {
      token: hostToken,
      body: {
        productId: product.id,
        dealPrice: 4900,
        units,
        perUserLimit,
        opensAt: Date.now(),
        durationSec: 86_400,
        countdownSec: 0,
      },
    }),
  );
  // Past the fair-admission window every reserve is decided on arrival (no queued responses to wait on).
  await sleep(Math.max(0, sale.fairUntil - Date.now()) + 50);
  return { hostToken, liveId, productId: product.id, saleId: sale.id };
}

export interface Purchases {
  buyerTokens: string[];
  /** Reservation id → buyer index, for the holds that were paid / left unpaid. */
  paid: Map<string, number>;
  unpaid: Map<string, number>;
  errors: Record<string, number>;
}

/**
 * `orders + unpaid` reservations spread over `buyers` guests (buyer i % buyers makes the i-th), then the first
 * `orders` are paid (simulated provider, which calls the server back); the rest stay unpaid.
 * NOTE: the provider's callbacks are not bounded by our concurrency; payments are paced so that at most
 * `backlog` started payments wait for their callback (read from the sale's `sold`), or the callbacks pile up
 * on the server, time out and the provider gives up on some.
 */
export async function reserveAndPay(
  base: string,
  sale: SaleSetup,
  opts: {
    orders: number;
    unpaid: number;
    buyers: number;
    concurrency: number;
    backlog: number;
    onProgress: (s: string) => void;
  },
): Promise<Purchases> {
  const buyerTokens = await guestTokens(base, opts.buyers, {
    concurrency: opts.concurrency,
    onProgress: (n) => opts.onProgress(`guest buyers ${n}/${opts.buyers}`),
  });
  const total = opts.orders + opts.unpaid;
  const held: Array<{ id: string; buyer: number } | undefined> = new Array(total);
  const errors: Record<string, number> = {};
  const fail = (err: unknown) => {
    const code = err instanceof HttpError ? err.code : (err as Error).message.slice(0, 80);
    errors[code] = (errors[code] ?? 0) + 1;
  };
  let done = 0;
  await pool(total, opts.concurrency, async (i) => {
    const buyer = i % opts.buyers;
    try {
      const r = Reservation.parse(
        await api(base, 'POST', `/api/lives/${sale.liveId}/sales/${sale.saleId}/reservations`, {
          token: buyerTokens[buyer],
          body: { quantity: 1 },
          idempotencyKey: randomUUID(),
        }),
      );
      held[i] = { id: r.id, buyer };
    } catch (err) {
      fail(err);
    }
    if (++done % 500 === 0) opts.onProgress(`reserved ${done}/${total}`);
  });
  const paid = new Map<string, number>();
  const unpaid = new Map<string, number>();
  for (const h of held.slice(opts.orders)) if (h) unpaid.set(h.id, h.buyer);
  let sold = 0;
  let started = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      sold = (await saleView(base, sale)).stock.sold;
      await sleep(100);
    }
  })();
  try {
    await pool(opts.orders, opts.concurrency, async (i) => {
      const h = held[i];
      if (!h) return;
      while (started - sold >= opts.backlog) await sleep(10);
      started++;
      try {
        PaymentStarted.parse(
          await api(base, 'POST', `/api/lives/${sale.liveId}/reservations/${h.id}/pay`, {
            token: buyerTokens[h.buyer],
            body: {},
            idempotencyKey: randomUUID(),
          }),
        );
        paid.set(h.id, h.buyer);
      } catch (err) {
        started--;
        fail(err);
      }
      if (started % 500 === 0) opts.onProgress(`paying ${started}/${opts.orders} · confirmed ${sold}`);
    });
  } finally {
    polling = false;
    await poller;
  }
  return { buyerTokens, paid, unpaid, errors };
}

export async function saleView(base: string, sale: SaleSetup): Promise<Sale> {
  const body = await api(base, 'GET', `/api/lives/${sale.liveId}/sales/${sale.saleId}`, {
    token: sale.hostToken,
  });
  return z.object({ sale: Sale }).parse(body).sale;
}

/** Every buyer's orders in the live, read from the ledger over REST. */
export async function ordersOfBuyers(
  base: string,
  liveId: string,
  tokens: string[],
  concurrency: number,
): Promise<Order[]> {
  const all: Order[][] = new Array(tokens.length);
  const Orders = z.object({ orders: z.array(Order) });
  await pool(tokens.length, concurrency, async (i) => {
    all[i] = Orders.parse(await api(base, 'GET', `/api/lives/${liveId}/orders`, { token: tokens[i] })).orders;
  });
  return all.flat();
}

/** The settlement report, or undefined while settlement has not written it (404). */
export async function readReport(base: string, sale: SaleSetup): Promise<CommerceReport | undefined> {
  try {
    return CommerceReport.parse(
      await api(base, 'GET', `/api/lives/${sale.liveId}/report`, { token: sale.hostToken }),
    );
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return undefined;
    throw err;
  }
}
