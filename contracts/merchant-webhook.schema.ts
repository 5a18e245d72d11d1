/**
 * What a merchant endpoint receives from settlement: one POST per event, JSON body `MerchantWebhookEvent`,
 * the event id repeated in `X-Webhook-Id` (deduplicate by it) and `X-Webhook-Signature: t=<unix s>,v1=<hex>`
 * where v1 = HMAC-SHA256(secret, `${t}.${raw body}`).
 */
import { z } from 'zod';

export const WEBHOOK_ID_HEADER = 'x-webhook-id';
export const WEBHOOK_SIGNATURE_HEADER = 'x-webhook-signature';

export const MerchantWebhookEvent = z.object({
  id: z.string(),
  /** `order.settled` (one per settled order), then `live.settled` (the live's summary, sent last). */
  type: z.string(),
  liveId: z.string(),
  createdAt: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type MerchantWebhookEvent = z.infer<typeof MerchantWebhookEvent>;
