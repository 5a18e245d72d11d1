/**
 * Every feature of the product, in registration order: a feature may `use` only services provided by those
 * before it. app.ts runs each one's `api`, worker-app.ts each one's `worker`.
 */
import { auctionsFeature } from '../features/auctions/auctions.feature';
import { authFeature } from '../features/auth/auth.feature';
import { commentsFeature } from '../features/comments/comments.feature';
import { commerceFeature } from '../features/commerce/commerce.feature';
import { groupBuysFeature } from '../features/groupbuys/groupbuys.feature';
import { growthFeature } from '../features/growth/growth.feature';
import { interactionStatsFeature } from '../features/interaction-stats/interaction-stats.feature';
import { invitesFeature } from '../features/invites/invites.feature';
import { likesFeature } from '../features/likes/likes.feature';
import { livesFeature } from '../features/lives/lives.feature';
import { lotteryFeature } from '../features/lottery/lottery.feature';
import { moderationFeature } from '../features/moderation/moderation.feature';
import { pollsFeature } from '../features/polls/polls.feature';
import { qaFeature } from '../features/qa/qa.feature';
import { replayFeature } from '../features/replay/replay.feature';
import { sfuFeature } from '../features/sfu/sfu.feature';
import { socialFeature } from '../features/social/social.feature';
import type { Feature } from './feature';

export const FEATURES: readonly Feature[] = [
  authFeature,
  livesFeature, // lives, moderators: everything below reads roles and lives
  moderationFeature,
  socialFeature, // followers: comments' followers-only chat
  commentsFeature, // buyers, commentFeed
  likesFeature, // like goals: commerce's coupons
  qaFeature,
  pollsFeature,
  commerceFeature, // coupons: lottery prizes
  lotteryFeature,
  auctionsFeature, // commerce: the sale, reservation and payment behind each auction
  invitesFeature, // commerce: the reward coupon
  groupBuysFeature, // commerce: the sale, reservations, payments and refunds behind each group
  interactionStatsFeature,
  growthFeature, // points, levels: after commerce (coupons) and the interaction features
  sfuFeature,
  replayFeature, // recordings of the media rooms (mediaRooms), chapters after the end
];
