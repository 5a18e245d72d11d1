/**
 * Interaction figures of an ended live for the post-live report: likes, comments, questions, polls, shares and
 * joins through them (one ledger row), and per-sharer attribution. Worker only.
 */
import { defineFeature } from '../../composition/feature';
import { interactionStatsStep } from './interaction-stats.jobs';

export const interactionStatsFeature = defineFeature({
  name: 'interaction-stats',
  worker(ctx) {
    ctx.step(interactionStatsStep);
  },
});
