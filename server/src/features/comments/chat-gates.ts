/**
 * Who may comment in followers-only and buyers-only chat. Followers come from the follows feature; buyers
 * are an extension point the commerce feature fills (`buyers.register(fn)`); until then nobody is a buyer.
 */
import type { FanLevel } from '@lc/contracts/growth.schema';

export interface FollowerCheck {
  isFollower(hostId: string, userId: string): Promise<boolean>;
}

export type BuyerCheckFn = (liveId: string, userId: string) => Promise<boolean>;

export function createBuyerRegistry() {
  let check: BuyerCheckFn | null = null;
  return {
    /** Commerce: who counts as a buyer in a live (e.g. has a paid order in it). One registration. */
    register(fn: BuyerCheckFn) {
      if (check) throw new Error('a buyer check is already registered');
      check = fn;
    },
    isBuyer(liveId: string, userId: string): Promise<boolean> {
      return check ? check(liveId, userId) : Promise.resolve(false);
    },
  };
}
export type BuyerRegistry = ReturnType<typeof createBuyerRegistry>;

/** A fan level to show next to a viewer's name (growth loop); registered by the growth feature. */
export type AuthorTagFn = (liveId: string, userId: string) => FanLevel | undefined;

export function createAuthorTags() {
  let tag: AuthorTagFn | null = null;
  return {
    /** One registration: the tag must be cheap and synchronous (it runs on every comment). */
    register(fn: AuthorTagFn) {
      if (tag) throw new Error('an author tag is already registered');
      tag = fn;
    },
    levelOf: (liveId: string, userId: string): FanLevel | undefined => tag?.(liveId, userId),
  };
}
export type AuthorTags = ReturnType<typeof createAuthorTags>;
