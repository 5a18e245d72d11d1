/**
 * The payment-provider port. A provider takes a payment request, later reports its outcome with a signed
 * webhook, and can refund. The built-in simulated provider (sim-provider.ts) implements it so the whole
 * flow runs locally; a real provider is another implementation of this interface.
 */
import { z } from 'zod';

export interface PaymentRequest {
  paymentId: string;
  amount: number;
  currency: string;
  description: string;
  method: 'card' | 'wallet';
  /** Returned in the webhook so the outcome finds its reservation. */
  metadata: { liveId: string; reservationId: string; userId: string };
  /** Simulated provider only: the outcome to report. */
  simulate?: 'succeed' | 'decline';
}

/** The outcome a provider reports (after its webhook was verified). */
export const PaymentEvent = z.object({
  id: z.string().min(1).max(200),
  type: z.enum(['payment.succeeded', 'payment.failed']),
  paymentId: z.string().uuid(),
  providerRef: z.string().min(1).max(200),
  amount: z.number().int().nonnegative(),
  currency: z.string(),
  metadata: z.object({ liveId: z.string().uuid(), reservationId: z.string().uuid(), userId: z.string() }),
  reason: z.string().max(200).optional(),
  created: z.number().int(),
});
export type PaymentEvent = z.infer<typeof PaymentEvent>;

export interface PaymentProvider {
  readonly name: string;
  /** Starts a payment. Idempotent by `paymentId`: asking twice never charges twice. */
  createPayment(req: PaymentRequest): Promise<{ providerRef: string }>;
  /** Gives a captured payment back (e.g. it succeeded after its hold expired). Idempotent by `paymentId`. */
  refund(p: {
    paymentId: string;
    providerRef: string;
    amount: number;
    currency: string;
  }): Promise<{ refundRef: string }>;
  /**
   * Verifies a webhook over its raw body and parses it.
   * @throws WEBHOOK_SIGNATURE_INVALID, WEBHOOK_STALE, VALIDATION
   */
  parseWebhook(headers: Record<string, string | string[] | undefined>, rawBody: Buffer): PaymentEvent;
  close?(): Promise<void>;
}
