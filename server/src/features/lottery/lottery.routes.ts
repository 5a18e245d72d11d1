/**
 * REST: the public audit record of a drawn lottery (no account needed: anyone may verify the draw), a
 * winner's prize claim with a shipping address, and the caller's own prizes.
 */

import { LotteryAudit, MyPrize, PrizeClaimBody } from '@lc/contracts/lottery.schema';
import { z } from 'zod';
import type { App } from '../../http/fastify';
import type { LotteryService } from './lottery.service';
import type { LotteryClaims } from './lottery-claims';

const Params = z.object({ liveId: z.string().uuid(), lotteryId: z.string().uuid() });

export function lotteryRoutes(app: App, deps: { lottery: LotteryService; claims: LotteryClaims }) {
  app.post(
    '/api/lives/:liveId/lotteries/:lotteryId/claim',
    {
      schema: {
        tags: ['lottery'],
        security: [{ bearer: [] }],
        summary:
          'Winner: claim your prize with a shipping address before the claim deadline; issues the coupon claim or the zero-price prize order',
        params: Params,
        body: PrizeClaimBody,
        response: { 200: z.object({ claimed: z.literal(true), prize: MyPrize }) },
      },
      config: { access: 'user' },
    },
    (req) => deps.claims.claim(req.user!, req.params.liveId, req.params.lotteryId, req.body),
  );
  app.get(
    '/api/me/prizes',
    {
      schema: {
        tags: ['lottery'],
        security: [{ bearer: [] }],
        summary: 'Every lottery prize offered to me (newest first): status, claim deadline, what was issued',
        response: { 200: z.object({ prizes: z.array(MyPrize) }) },
      },
      config: { access: 'user' },
    },
    (req) => deps.claims.mine(req.user!),
  );
  app.get(
    '/api/lives/:liveId/lotteries/:lotteryId/audit',
    {
      schema: {
        tags: ['lottery'],
        summary: 'Every input of a drawn lottery; `npm run verify-draw` recomputes the winners from it',
        params: Params,
        response: { 200: LotteryAudit },
      },
    },
    async (req) => deps.lottery.audit(req.params.liveId, req.params.lotteryId),
  );
}
