/** Secrets commerce derives from TOKEN_SECRET when not configured (API nodes and workers derive the same). */
import { createHmac } from 'node:crypto';
import type { Config } from '../../config';

const derive = (root: string, purpose: string) => createHmac('sha256', root).update(purpose).digest('hex');

export const paymentWebhookSecret = (c: Config) =>
  c.PAYMENT_WEBHOOK_SECRET ?? derive(c.TOKEN_SECRET, 'payment-webhook');
export const merchantWebhookSecret = (c: Config) =>
  c.MERCHANT_WEBHOOK_SECRET ?? derive(c.TOKEN_SECRET, 'merchant-webhook');
