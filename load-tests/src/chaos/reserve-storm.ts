/**
 * A reserve storm that keeps going through a fault: `concurrency` loops, each a random buyer posting
 * `POST …/sales/:saleId/reservations` with a fresh Idempotency-Key (or, `replayShare` of the time, the buyer's
 * previous key with the same body), every answer logged with its wall-clock time so the verdicts can place it
 * before, during or after the outage. A request unanswered within `timeoutMs` is logged as `TIMEOUT`.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StormAnswer {
  key: string;
  buyer: number;
  sentAt: number;
  /** Wall clock (Date.now()) when the answer (or the failure) arrived. */
  at: number;
  /** HTTP status; 0 when no answer came (`code` says why). */
  status: number;
  code: string;
  reservationId?: string;
}

export interface StormOptions {
  base: string;
  liveId: string;
  saleId: string;
  tokens: string[];
  concurrency: number;
  timeoutMs: number;
  replayShare: number;
  /** Idempotency keys start with it (the sale audit reads this storm's key records by it). */
  keyPrefix: string;
}

export function startReserveStorm(o: StormOptions) {
  const answers: StormAnswer[] = [];
  const lastKey = new Map<number, string>();
  let running = true;
  let replays = 0;
  const path = `${o.base}/api/lives/${o.liveId}/sales/${o.saleId}/reservations`;

  const one = async () => {
    const buyer = Math.floor(Math.random() * o.tokens.length);
    const prev = lastKey.get(buyer);
    const replay = prev !== undefined && Math.random() < o.replayShare;
    const key = replay ? prev : `${o.keyPrefix}-${randomUUID()}`;
    if (replay) replays++;
    lastKey.set(buyer, key);
    const sentAt = Date.now();
    try {
      const res = await fetch(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${o.tokens[buyer]}`,
          'idempotency-key': key,
        },
        body: JSON.stringify({ quantity: 1 }),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      const text = await res.text();
      const body = (text ? JSON.parse(text) : {}) as { id?: string; error?: { code?: string } };
      const code = res.status < 300 ? 'CREATED' : (body.error?.code ?? `HTTP_${res.status}`);
      answers.push({ key, buyer, sentAt, at: Date.now(), status: res.status, code, reservationId: body.id });
      return res.status;
    } catch (err) {
      const e = err as Error;
      const code = e.name === 'TimeoutError' ? 'TIMEOUT' : `NETWORK ${e.message.slice(0, 60)}`;
      answers.push({ key, buyer, sentAt, at: Date.now(), status: 0, code });
      return 0;
    }
  };

  const loops = Array.from({ length: o.concurrency }, async () => {
    while (running) {
      const status = await one();
      // A client backs off on 503 (no busy loop against a node that fails closed).
      if (status === 503 || status === 0) await sleep(50);
    }
  });

  return {
    answers,
    replays: () => replays,
    async stop(): Promise<StormAnswer[]> {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}
