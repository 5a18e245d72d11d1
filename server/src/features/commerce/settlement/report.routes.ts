/** The post-live commerce report route (host and staff); settlement writes the report. */

import { CommerceReport } from '@lc/contracts/commerce.schema';
import { AppError } from '@lc/contracts/errors';
import { LiveParams } from '@lc/contracts/live.schema';
import { BEARER_SECURITY } from '../../../http/docs';
import type { App } from '../../../http/fastify';
import type { Db } from '../../../ledger/db';
import { readReport } from './report';

export function reportRoutes(app: App, deps: { db: Db }) {
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
      config: { access: 'live-staff' },
    },
    async (req) => {
      const report = await readReport(deps.db, req.params.liveId);
      if (!report) throw new AppError('NOT_FOUND', 'the report is written when settlement has run');
      return report;
    },
  );
}
