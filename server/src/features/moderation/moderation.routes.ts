/** REST for the host: the moderation audit trail and the moderators of a live. */

import { AppError } from '@lc/contracts/errors';
import { LiveParams } from '@lc/contracts/live.schema';
import {
  ModerationAction,
  ModerationLogQuery,
  ModeratorParams,
  ModeratorsBody,
} from '@lc/contracts/moderation.schema';
import { z } from 'zod';
import type { App } from '../../http/fastify';
import type { AuthHooks } from '../auth/auth.hook';
import type { LivesService } from '../lives/lives.service';
import type { ModerationService } from './moderation.service';

export function moderationRoutes(
  app: App,
  deps: { moderation: ModerationService; lives: LivesService; hooks: AuthHooks },
) {
  const tags = ['moderation'];
  const security = [{ bearer: [] }];
  const { moderation, lives, hooks } = deps;
  const hostOnly = async (req: { user?: { sub: string }; params: unknown }) => {
    const { liveId } = req.params as { liveId: string };
    if ((await lives.hostOf(liveId)) !== req.user?.sub) {
      throw new AppError('FORBIDDEN', 'only the host of this live');
    }
  };
  const pre = [hooks.requireUser, hostOnly];
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
      preHandler: pre,
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
      preHandler: pre,
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
      preHandler: pre,
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
      preHandler: pre,
    },
    async (req) => moderation.revoke(req.user!, req.params.liveId, req.params.userId),
  );
}
