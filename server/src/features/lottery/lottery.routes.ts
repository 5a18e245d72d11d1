/** REST: the public audit record of a drawn lottery (no account needed: anyone may verify the draw). */
import { z } from 'zod';
import { LotteryAudit } from '../../contracts/lottery.schema';
import type { App } from '../../http/fastify';
import type { LotteryService } from './lottery.service';

export function lotteryRoutes(app: App, deps: { lottery: LotteryService }) {
  app.get(
    '/api/lives/:liveId/lotteries/:lotteryId/audit',
    {
      schema: {
        tags: ['lottery'],
        summary: 'Every input of a drawn lottery; `npm run verify-draw` recomputes the winners from it',
        params: z.object({ liveId: z.string().uuid(), lotteryId: z.string().uuid() }),
        response: { 200: LotteryAudit },
      },
    },
    async (req) => deps.lottery.audit(req.params.liveId, req.params.lotteryId),
  );
}
