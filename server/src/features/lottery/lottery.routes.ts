/**
 * REST: the public audit record of a drawn lottery (no account needed: anyone may verify the draw), and a
 * winner's prize claim with a shipping address.
 */
import { z } from 'zod';
import { AppError } from '../../contracts/errors';
import { LotteryAudit, PrizeClaimBody } from '../../contracts/lottery.schema';
import type { App } from '../../http/fastify';
import type { LotteryPrizesRepo } from '../../ledger/lottery-prizes.repo';
import type { AuthHooks } from '../auth/auth.hook';
import type { LotteryService } from './lottery.service';

const Params = z.object({ liveId: z.string().uuid(), lotteryId: z.string().uuid() });

export function lotteryRoutes(
  app: App,
  deps: { lottery: LotteryService; prizes: LotteryPrizesRepo; hooks: AuthHooks; now?: () => number },
) {
  const now = deps.now ?? Date.now;
  app.post(
    '/api/lives/:liveId/lotteries/:lotteryId/claim',
    {
      schema: {
        tags: ['lottery'],
        security: [{ bearer: [] }],
        summary: 'Winner: claim your prize with a shipping address before the claim deadline',
        params: Params,
        body: PrizeClaimBody,
        response: { 200: z.object({ claimed: z.literal(true) }) },
      },
      preHandler: deps.hooks.requireUser,
    },
    async (req) => {
      // NOTE: the audit lookup also checks that the lottery belongs to this live.
      await deps.lottery.audit(req.params.liveId, req.params.lotteryId);
      const ok = await deps.prizes.claim(req.params.lotteryId, req.user!.sub, req.body, now());
      if (!ok) throw new AppError('PRIZE_NOT_CLAIMABLE', 'no claimable prize of yours in this lottery');
      return { claimed: true as const };
    },
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
