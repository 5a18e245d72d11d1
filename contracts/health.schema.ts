/** Liveness and readiness answers (GET /healthz, GET /readyz): what load balancers and the load kit read. */
import { z } from 'zod';

export const LivenessResponse = z.object({ status: z.literal('ok') });
export type LivenessResponse = z.infer<typeof LivenessResponse>;

export const CheckResult = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    ms: z.number(),
    /** The check's resolved value when it is a plain object (e.g. media worker stats). */
    info: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({ ok: z.literal(false), ms: z.number(), error: z.string() }),
]);
export type CheckResult = z.infer<typeof CheckResult>;

export const ReadinessResponse = z.object({
  status: z.enum(['ready', 'unready']),
  checks: z.record(z.string(), CheckResult),
});
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;
