/** Q&A: viewers ask and upvote, the host answers, pins and dismisses; vote counts broadcast on change. */
import { defineFeature } from '../../composition/feature';
import { createQuestionsRepo } from '../../ledger/questions.repo';
import { qaRoutes } from './qa.routes';
import { createQaService, type QaService } from './qa.service';
import { qaSocketHandlers } from './qa.socket';

declare module '../../composition/services' {
  interface Services {
    qa: QaService;
  }
}

export const qaFeature = defineFeature({
  name: 'qa',
  api(ctx) {
    const { config } = ctx;
    const qa = createQaService({
      questions: createQuestionsRepo(ctx.db),
      roomLog: ctx.roomLog,
      redis: ctx.redis,
      scripts: ctx.scripts,
      keys: ctx.keys,
      lives: ctx.use('lives'),
      log: ctx.log,
      limits: {
        rateCount: config.QUESTION_RATE_COUNT,
        rateWindowMs: config.QUESTION_RATE_WINDOW_MS,
        votesEveryMs: config.COUNTERS_BROADCAST_MS,
      },
    });
    ctx.snapshots.contribute('qa', {
      room: (live) => qa.roomSnapshot(live.id),
      viewer: ({ live, user }, room) => qa.viewerSnapshot(live.id, user, room),
    });
    qaRoutes(ctx.app, { qa });
    ctx.handle(...qaSocketHandlers({ qa, maxChars: config.QUESTION_MAX_CHARS }));
    ctx.onStart('qa', () => {
      qa.start();
      return () => qa.close();
    });
    ctx.provide('qa', qa);
  },
});
