/**
 * The built-in simulated payment provider: accepts every payment request, then after `delayMs` calls the
 * server back with a signed webhook (`payment.succeeded`, or `payment.failed` when asked to decline), retrying
 * with backoff until it gets a 2xx — like a real provider, so the server's webhook path is exercised for real.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '@lc/contracts/errors';
import { PaymentEvent, type PaymentProvider, type PaymentRequest } from './payment-provider';
import { signatureHeader, verifySignature } from './webhook-signature';

export const SIM_SIGNATURE_HEADER = 'x-sim-signature';

export function createSimulatedProvider(opts: {
  secret: string;
  /** Where to POST webhooks (resolved at send time: a node learns its port after listen). */
  callbackUrl: () => string;
  delayMs: number;
  toleranceSec: number;
  now?: () => number;
  attempts?: number;
  onError?: (err: unknown) => void;
}): PaymentProvider & { refunds: Map<string, string> } {
  const now = opts.now ?? Date.now;
  const payments = new Map<string, string>();
  const refunds = new Map<string, string>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const deliver = (body: string, attempt: number) => {
    if (closed) return;
    fetch(opts.callbackUrl(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIM_SIGNATURE_HEADER]: signatureHeader(opts.secret, body, now()),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      })
      .catch((err) => {
        if (attempt + 1 >= (opts.attempts ?? 8)) return opts.onError?.(err);
        later(100 * 2 ** attempt, () => deliver(body, attempt + 1));
      });
  };

  return {
    name: 'sim',
    refunds,
    async createPayment(req: PaymentRequest) {
      const known = payments.get(req.paymentId);
      if (known) return { providerRef: known };
      const providerRef = `sim_${randomUUID()}`;
      payments.set(req.paymentId, providerRef);
      const event: PaymentEvent = {
        id: `evt_${randomUUID()}`,
        type: req.simulate === 'decline' ? 'payment.failed' : 'payment.succeeded',
        paymentId: req.paymentId,
        providerRef,
        amount: req.amount,
        currency: req.currency,
        metadata: req.metadata,
        ...(req.simulate === 'decline' ? { reason: 'card_declined' } : {}),
        created: now(),
      };
      later(opts.delayMs, () => deliver(JSON.stringify(event), 0));
      return { providerRef };
    },
    async refund(p) {
      const ref = refunds.get(p.paymentId) ?? `simre_${randomUUID()}`;
      refunds.set(p.paymentId, ref);
      return { refundRef: ref };
    },
    parseWebhook(headers, rawBody) {
      verifySignature(opts.secret, headers[SIM_SIGNATURE_HEADER], rawBody, {
        nowMs: now(),
        toleranceSec: opts.toleranceSec,
      });
      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        throw new AppError('VALIDATION', 'webhook body is not JSON');
      }
      const parsed = PaymentEvent.safeParse(json);
      if (!parsed.success) throw new AppError('VALIDATION', 'webhook body is not a payment event');
      return parsed.data;
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
