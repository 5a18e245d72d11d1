import { randomUUID } from 'node:crypto';
import type { Product, ProductStats } from '@lc/contracts/commerce.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProduct, scheduleSale, watchRoom } from '../../../../../test/commerce';
import {
  call,
  guest,
  hostWithLive,
  http,
  startServer,
  type TestServer,
  waitFor,
} from '../../../../../test/server';

type Err = { error: { code: string } };

describe.each(['pglite', 'postgres'] as const)('products on %s', (ledger) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ ledger });
  });
  afterAll(async () => s?.close());

  it('lets the host add, change, list and remove products, recorded in the ledger and told to the room', async () => {
    const { host, liveId } = await hostWithLive(s);
    const room = await watchRoom(s, await guest(s), liveId);
    const created = await http<Product>(
      s,
      'POST',
      `/api/lives/${liveId}/products`,
      {
        title: '  西湖龙井 明前 🍵 ',
        imageUrl: 'https://img.example/tea.jpg',
        price: 12900,
        currency: 'CNY',
        stock: 20,
      },
      host.token,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      title: '西湖龙井 明前 🍵',
      price: 12900,
      currency: 'CNY',
      stock: 20,
      perUserLimit: 0,
      allocated: 0,
    });
    const id = created.body.id;
    const patched = await http<Product>(
      s,
      'PATCH',
      `/api/lives/${liveId}/products/${id}`,
      { price: 9900, perUserLimit: 2 },
      host.token,
    );
    expect(patched.body).toMatchObject({ price: 9900, perUserLimit: 2, title: '西湖龙井 明前 🍵' });
    const row = await s.built.deps.db.query<{ price: string; per_user_limit: number }>(
      'SELECT price, per_user_limit FROM products WHERE id = $1',
      [id],
    );
    expect(row.rows[0]).toEqual({ price: '9900', per_user_limit: 2 });
    const listed = await http<{ products: Product[] }>(
      s,
      'GET',
      `/api/lives/${liveId}/products`,
      undefined,
      host.token,
    );
    expect(listed.body.products.map((p) => [p.id, p.price])).toEqual([[id, 9900]]);
    await waitFor(() => room.ofType('product:upserted').length === 2, 3000, 'product events');

    // Pin, then removing the pinned product unpins it.
    const pin = await http<{ seq: number }>(
      s,
      'PUT',
      `/api/lives/${liveId}/pinned-product`,
      { productId: id },
      host.token,
    );
    expect(pin.status).toBe(200);
    const removed = await http(s, 'DELETE', `/api/lives/${liveId}/products/${id}`, undefined, host.token);
    expect(removed.status).toBe(200);
    await waitFor(() => room.ofType('product:removed').length === 1, 3000, 'removed event');
    expect(room.ofType<{ productId: string | null }>('product:pinned').map((e) => e.productId)).toEqual([
      id,
      null,
    ]);
    const after = await http<{ products: Product[]; pinnedProductId: string | null }>(
      s,
      'GET',
      `/api/lives/${liveId}/products`,
      undefined,
      host.token,
    );
    expect(after.body).toEqual({ products: [], pinnedProductId: null });
    room.close();
  });

  it('refuses viewers, other hosts, bad input, stock below what sales hold, and removing a product on sale', async () => {
    const { host, liveId } = await hostWithLive(s);
    const other = await hostWithLive(s);
    const viewer = await guest(s);
    const body = { title: 'Mug', price: 1500, currency: 'CNY', stock: 10 };
    const path = `/api/lives/${liveId}/products`;
    expect((await http<Err>(s, 'POST', path, body, viewer.token)).body.error.code).toBe('FORBIDDEN');
    expect((await http<Err>(s, 'POST', path, body, other.host.token)).body.error.code).toBe('FORBIDDEN');
    expect((await http<Err>(s, 'POST', path, body)).body.error.code).toBe('UNAUTHENTICATED');
    for (const bad of [
      { ...body, price: -1 },
      { ...body, price: 1.5 },
      { ...body, currency: 'yuan' },
      { ...body, title: '' },
      { ...body, imageUrl: 'javascript:alert(1)' },
      { ...body, stock: -3 },
    ]) {
      expect((await http<Err>(s, 'POST', path, bad, host.token)).body.error.code).toBe('VALIDATION');
    }
    const p = await addProduct(s, host.token, liveId, { stock: 10 });
    await scheduleSale(s, host.token, liveId, p.id, { units: 6 });
    const shrink = await http<Err>(s, 'PATCH', `${path}/${p.id}`, { stock: 5 }, host.token);
    expect(shrink.body.error.code).toBe('INSUFFICIENT_STOCK');
    expect((await http<Err>(s, 'PATCH', `${path}/${p.id}`, {}, host.token)).body.error.code).toBe(
      'VALIDATION',
    );
    expect((await http<Err>(s, 'DELETE', `${path}/${p.id}`, undefined, host.token)).body.error.code).toBe(
      'CONFLICT',
    );
    expect(
      (await http<Err>(s, 'PATCH', `${path}/${randomUUID()}`, { stock: 5 }, host.token)).body.error.code,
    ).toBe('PRODUCT_NOT_FOUND');
    const pinMissing = await http<Err>(
      s,
      'PUT',
      `/api/lives/${liveId}/pinned-product`,
      { productId: randomUUID() },
      host.token,
    );
    expect(pinMissing.body.error.code).toBe('PRODUCT_NOT_FOUND');
  });

  it('documents the commerce API in the OpenAPI document of the full app', async () => {
    const res = await http<{
      paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>>;
    }>(s, 'GET', '/docs/json');
    expect(res.status).toBe(200);
    const reserve = res.body.paths['/api/lives/{liveId}/sales/{saleId}/reservations']?.post;
    expect(reserve?.parameters?.map((p) => p.name)).toContain('idempotency-key');
    for (const path of [
      '/api/lives/{liveId}/products',
      '/api/lives/{liveId}/reservations/{reservationId}/pay',
      '/api/lives/{liveId}/coupons/{couponId}/claims',
      '/api/lives/{liveId}/report',
      '/api/payments/webhooks/sim',
    ]) {
      expect(res.body.paths[path], path).toBeDefined();
    }
  });

  it('counts impressions once per viewer and clicks, so the host sees CTR per product', async () => {
    const { host, liveId } = await hostWithLive(s);
    const tea = await addProduct(s, host.token, liveId, { title: 'Tea' });
    const cup = await addProduct(s, host.token, liveId, { title: 'Cup' });
    const viewers = await Promise.all([1, 2, 3, 4].map(async () => watchRoom(s, await guest(s), liveId)));
    for (const v of viewers) {
      const first = await call<{ counted: number }>(v.socket, 'product:impressions', {
        liveId,
        productIds: [tea.id, cup.id, randomUUID()],
      });
      expect(first).toEqual({ ok: true, data: { counted: 2 } });
      // Shown again: not a new impression.
      expect(await call(v.socket, 'product:impressions', { liveId, productIds: [tea.id] })).toEqual({
        ok: true,
        data: { counted: 0 },
      });
    }
    await call(viewers[0]!.socket, 'product:click', { liveId, productId: tea.id });
    await call(viewers[0]!.socket, 'product:click', { liveId, productId: tea.id });
    await call(viewers[1]!.socket, 'product:click', { liveId, productId: tea.id });
    const missing = await call(viewers[1]!.socket, 'product:click', { liveId, productId: randomUUID() });
    expect(missing).toMatchObject({ ok: false, error: { code: 'PRODUCT_NOT_FOUND' } });
    const stats = await http<{ products: ProductStats[] }>(
      s,
      'GET',
      `/api/lives/${liveId}/products/stats`,
      undefined,
      host.token,
    );
    expect(stats.body.products).toEqual([
      { productId: tea.id, title: 'Tea', impressions: 4, clickers: 2, clicks: 3, ctr: 0.5 },
      { productId: cup.id, title: 'Cup', impressions: 4, clickers: 0, clicks: 0, ctr: 0 },
    ]);
    const asViewer = await http<Err>(
      s,
      'GET',
      `/api/lives/${liveId}/products/stats`,
      undefined,
      viewers[0]!.auth.token,
    );
    expect(asViewer.body.error.code).toBe('FORBIDDEN');
    // Pinning over the socket is the host's.
    expect(await call(viewers[0]!.socket, 'product:pin', { liveId, productId: tea.id })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    for (const v of viewers) v.close();
  });
});
