/**
 * Sets a flash sale up over the project's REST API, as a host would: a product with enough stock for every
 * round, then one sale per round opening now (so each round's storm meets the fair window, the sell-out and the
 * refusals after it). Shapes are parsed with the shared contracts.
 */
import { Product, Sale } from '@lc/contracts/commerce.schema';
import { ApiError } from '../lib/project-api';

async function post(base: string, path: string, body: unknown, token: string): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (res.status >= 400)
    throw new ApiError(`POST ${path} answered ${res.status}: ${text.slice(0, 300)}`, res.status);
  return JSON.parse(text) as unknown;
}

/** A product of the live with `stock` units and no product-wide per-user limit (the sale's limit applies). */
export async function addProduct(base: string, hostToken: string, liveId: string, stock: number) {
  return Product.parse(
    await post(
      base,
      `/api/lives/${liveId}/products`,
      { title: 'Flash-sale load test', price: 9900, currency: 'CNY', stock, perUserLimit: 0 },
      hostToken,
    ),
  );
}

/** A sale of `units` opening now, open for `durationSec`, `perUserLimit` units per buyer. */
export async function openSale(
  base: string,
  hostToken: string,
  liveId: string,
  productId: string,
  opts: { units: number; perUserLimit: number; durationSec: number },
) {
  return Sale.parse(
    await post(
      base,
      `/api/lives/${liveId}/sales`,
      {
        productId,
        dealPrice: 4900,
        units: opts.units,
        perUserLimit: opts.perUserLimit,
        opensAt: Date.now(),
        durationSec: opts.durationSec,
        countdownSec: 0,
      },
      hostToken,
    ),
  );
}
