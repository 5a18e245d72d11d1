/** REST: the live's questions (report and late readers). */

import { LiveParams } from '@lc/contracts/live.schema';
import { Question } from '@lc/contracts/qa.schema';
import { z } from 'zod';
import type { App } from '../../http/fastify';
import type { QaService } from './qa.service';

export function qaRoutes(app: App, deps: { qa: QaService }) {
  app.get(
    '/api/lives/:liveId/questions',
    {
      schema: {
        tags: ['qa'],
        security: [{ bearer: [] }],
        summary: 'Questions not dismissed: pinned first, then by votes, then oldest',
        params: LiveParams,
        response: { 200: z.object({ questions: z.array(Question) }) },
      },
      config: { access: 'user' },
    },
    async (req) => ({ questions: await deps.qa.list(req.params.liveId) }),
  );
}
