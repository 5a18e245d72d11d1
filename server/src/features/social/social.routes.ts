/** REST: follow / unfollow a host, follower counts, and the share attribution of a live (its host). */
import { LiveParams } from '@lc/contracts/live.schema';
import { FollowState, HostParams, ShareStats } from '@lc/contracts/social.schema';
import type { App } from '../../http/fastify';
import type { SocialService } from './social.service';

export function socialRoutes(app: App, deps: { social: SocialService }) {
  const tags = ['social'];
  const security = [{ bearer: [] }];
  const { social } = deps;
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
      config: { access: 'user' },
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
      config: { access: 'user' },
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
      config: { access: 'user' },
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
      config: { access: 'live-host' },
    },
    async (req) => social.shareStats(req.params.liveId),
  );
}
