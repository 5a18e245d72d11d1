/** REST: follow / unfollow a host, follower counts, and the share attribution of a live (its host). */
import { AppError } from '@lc/contracts/errors';
import { LiveParams } from '@lc/contracts/live.schema';
import { FollowState, HostParams, ShareStats } from '@lc/contracts/social.schema';
import type { App } from '../../http/fastify';
import type { AuthHooks } from '../auth/auth.hook';
import type { LivesService } from '../lives/lives.service';
import type { SocialService } from './social.service';

export function socialRoutes(
  app: App,
  deps: { social: SocialService; lives: LivesService; hooks: AuthHooks },
) {
  const tags = ['social'];
  const security = [{ bearer: [] }];
  const { social, hooks } = deps;
  app.get(
    '/api/hosts/:hostId/followers',
    {
      schema: {
        tags,
        security,
        summary: 'Follower count (and whether the caller follows)',
        params: HostParams,
        response: { 200: FollowState },
      },
      preHandler: hooks.requireUser,
    },
    async (req) => social.followState(req.params.hostId, req.user!.sub),
  );
  app.put(
    '/api/hosts/:hostId/follow',
    {
      schema: {
        tags,
        security,
        summary: 'Follow a host',
        params: HostParams,
        response: { 200: FollowState },
      },
      preHandler: hooks.requireUser,
    },
    async (req) => social.follow(req.user!, req.params.hostId, true),
  );
  app.delete(
    '/api/hosts/:hostId/follow',
    {
      schema: {
        tags,
        security,
        summary: 'Unfollow a host',
        params: HostParams,
        response: { 200: FollowState },
      },
      preHandler: hooks.requireUser,
    },
    async (req) => social.follow(req.user!, req.params.hostId, false),
  );
  app.get(
    '/api/lives/:liveId/shares',
    {
      schema: {
        tags,
        security,
        summary: 'Shares and joins through share links, per sharer (host)',
        params: LiveParams,
        response: { 200: ShareStats },
      },
      preHandler: [
        hooks.requireUser,
        async (req) => {
          const { liveId } = req.params as { liveId: string };
          if ((await deps.lives.hostOf(liveId)) !== req.user!.sub)
            throw new AppError('FORBIDDEN', 'only the host');
        },
      ],
    },
    async (req) => social.shareStats(req.params.liveId),
  );
}
