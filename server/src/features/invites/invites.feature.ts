/**
 * Invites / assists (issue #14): the invite campaign, signed invite links, the join hook that counts
 * invitees and grants the reward coupon once, `invite:progress` to the sharer and the snapshot part.
 */
import { defineFeature } from '../../composition/feature';
import { createCouponsRepo } from '../../ledger/coupons.repo';
import { createInvitesService, type InvitesService } from './invites.service';
import { inviteSocketHandlers } from './invites.socket';

declare module '../../composition/services' {
  interface Services {
    invites: InvitesService;
  }
}

export const invitesFeature = defineFeature({
  name: 'invites',
  api(ctx) {
    const { config } = ctx;
    const commerce = ctx.use('commerce');
    const invites = createInvitesService({
      redis: ctx.redis,
      scripts: ctx.scripts,
      keys: ctx.keys,
      db: ctx.db,
      couponsRepo: createCouponsRepo(ctx.db),
      coupons: commerce.coupons,
      requireHost: (user, liveId) => commerce.gate.requireHost(user, liveId, { open: true }),
      secret: config.TOKEN_SECRET,
      publicUrl: config.PUBLIC_URL,
      notify: (sharerId, p) => ctx.actions.toUser(sharerId, 'invite:progress', p),
    });
    ctx.joinHooks.after('invites', async (j) => {
      await invites.onJoin(j.live.id, j.user, j.ref);
    });
    ctx.snapshots.contribute('invites', {
      room: async (live) => ({ campaign: await invites.campaign(live.id) }),
      viewer: ({ live, user }, room) => invites.snapshot(live.id, user.sub, room),
    });
    ctx.handle(...inviteSocketHandlers({ invites }));
    ctx.provide('invites', invites);
  },
});
