/** REST for the host: the moderation audit trail and the moderators of a live. */

import { LiveParams } from '@lc/contracts/live.schema';
import {
  ModerationAction,
  ModerationLogQuery,
  ModeratorParams,
  ModeratorsBody,
} from '@lc/contracts/moderation.schema';
import { z } from 'zod';
import type { App } from '../../http/fastify';
import type { ModerationService } from './moderation.service';

export function moderationRoutes(app: App, deps: { moderation: ModerationService }) {
  const tags = ['moderation'];
  const security = [{ bearer: [] }];
  const { moderation } = deps;
  const Moderators = z.object({ moderators: z.array(z.string()) });

  app.get(
    '/api/lives/:liveId/moderation/actions',
    {
      schema: {
        tags,
        security,
        summary: 'Audit trail of moderation actions, newest first (host)',
        params: LiveParams,
        querystring: ModerationLogQuery,
        response: { 200: z.object({ actions: z.array(ModerationAction) }) },
      },
      config: { access: 'live-host' },
    },
    async (req) => ({ actions: await moderation.log(req.params.liveId, req.query) }),
  );
  app.get(
    '/api/lives/:liveId/moderators',
    {
      schema: {
        tags,
        security,
        summary: 'Moderators of the live (host)',
        params: LiveParams,
        response: { 200: Moderators },
      },
      config: { access: 'live-host' },
    },
    async (req) => ({ moderators: await moderation.moderators(req.params.liveId) }),
  );
  app.post(
    '/api/lives/:liveId/moderators',
    {
      schema: {
        tags,
        security,
        summary: 'Appoint a moderator (host)',
        params: LiveParams,
        body: ModeratorsBody,
        response: { 200: Moderators },
      },
      config: { access: 'live-host' },
    },
    async (req) => moderation.appoint(req.user!, req.params.liveId, req.body.userId),
  );
  app.delete(
    '/api/lives/:liveId/moderators/:userId',
    {
      schema: {
        tags,
        security,
        summary: 'Revoke a moderator (host)',
        params: ModeratorParams,
        response: { 200: Moderators },
      },
      config: { access: 'live-host' },
    },
    async (req) => moderation.revoke(req.user!, req.params.liveId, req.params.userId),
  );
}
