/**
 * A merchant endpoint for the settlement scenario: receives the server's signed merchant webhooks on loopback,
 * verifies each signature over the raw bytes and counts deliveries per event id, so the scenario can tell
 * "each event exactly once" from "some twice" or "some never".
 */
import { createServer, type Server } from 'node:http';
import { WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER } from '@lc/contracts/merchant-webhook.schema';
import { verifySignature } from '../../../server/src/testkit';
import { nowMs } from '../lib/stats';

export interface MerchantEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

export async function startMerchantReceiver(port: number, secret: string) {
  /** Deliveries per event id (a duplicate shows as a count above 1). */
  const deliveries = new Map<string, number>();
  const events = new Map<string, MerchantEvent>();
  let badSignatures = 0;
  let malformed = 0;
  let lastAt = 0;
  /** Generator clock (ms) of each event id's first delivery, for the throughput chart. */
  const firstAt: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      try {
        verifySignature(secret, req.headers[WEBHOOK_SIGNATURE_HEADER], raw, {
          nowMs: Date.now(),
          toleranceSec: 300,
        });
      } catch {
        badSignatures++;
        res.writeHead(401).end();
        return;
      }
      let body: MerchantEvent;
      try {
        body = JSON.parse(raw.toString('utf8')) as MerchantEvent;
      } catch {
        malformed++;
        res.writeHead(400).end();
        return;
      }
      if (typeof body.id !== 'string' || req.headers[WEBHOOK_ID_HEADER] !== body.id) malformed++;
      deliveries.set(body.id, (deliveries.get(body.id) ?? 0) + 1);
      lastAt = nowMs();
      if (!events.has(body.id)) {
        events.set(body.id, { id: body.id, type: body.type, data: body.data });
        firstAt.push(lastAt);
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    deliveries,
    events,
    firstAt,
    get badSignatures() {
      return badSignatures;
    },
    get malformed() {
      return malformed;
    },
    /** Generator clock (ms) of the last accepted delivery. */
    get lastAt() {
      return lastAt;
    },
    /** Accepted deliveries, duplicates included. */
    total: () => [...deliveries.values()].reduce((a, b) => a + b, 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type MerchantReceiver = Awaited<ReturnType<typeof startMerchantReceiver>>;
