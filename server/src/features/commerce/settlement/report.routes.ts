/** The post-live commerce report route (host and staff); settlement writes the report. */

import { CommerceReport } from '@lc/contracts/commerce.schema';
import { AppError } from '@lc/contracts/errors';
import { LiveParams } from '@lc/contracts/live.schema';
import { BEARER_SECURITY } from '../../../http/docs';
import type { App } from '../../../http/fastify';
import type { Db } from '../../../ledger/db';
import type { AuthHooks } from '../../auth/auth.hook';
import type { LiveGate } from '../live-gate';
import { readReport } from './report';

export function reportRoutes(app: App, deps: { db: Db; hooks: AuthHooks; gate: LiveGate }) {
  app.get(
    '/api/lives/:liveId/report',
    {
      schema: {
        tags: ['commerce'],
        security: BEARER_SECURITY,
        summary: 'The post-live commerce report (host, moderators); written by settlement',
        params: LiveParams,
        response: { 200: CommerceReport },
      },
      preHandler: deps.hooks.requireUser,
    },
    async (req) => {
      await deps.gate.requireHostOrStaff(req.user!, req.params.liveId);
      const report = await readReport(deps.db, req.params.liveId);
      if (!report) throw new AppError('NOT_FOUND', 'the report is written when settlement has run');
      return report;
    },
  );
}
