/** Polls: one open poll per live, one vote per user, tallies broadcast on change; closed at the deadline or the end. */
import { defineFeature } from '../../composition/feature';
import { createPollsRepo } from '../../ledger/polls.repo';
import { roomName } from '../../realtime/types';
import { pollsCloseStep } from './polls.jobs';
import { createPollsService, type PollsService } from './polls.service';
import { pollsSocketHandlers } from './polls.socket';

declare module '../../composition/services' {
  interface Services {
    polls: PollsService;
  }
}

export const pollsFeature = defineFeature({
  name: 'polls',
  api(ctx) {
    const { config } = ctx;
    const lives = ctx.use('lives');
    const polls = createPollsService({
      redis: ctx.redis,
      scripts: ctx.scripts,
      keys: ctx.keys,
      roomLog: ctx.roomLog,
      polls: createPollsRepo(ctx.db),
      logMaxLen: config.ROOM_LOG_MAX_LEN,
      ended: async (liveId) => (await lives.get(liveId)).status === 'ended',
      log: ctx.log,
    });
    ctx.snapshots.contribute('poll', {
      room: (live) => polls.roomSnapshot(live.id),
      viewer: ({ live, user }, room) => polls.viewerSnapshot(live.id, user, room),
    });
    ctx.handle(...pollsSocketHandlers({ polls }));
    ctx.roomTicker('poll-tallies', {
      read: (ids) => polls.tallies(ids),
      emit: (io, liveId, t) =>
        io.local
          .to(roomName(liveId))
          .emit('poll:tally', { liveId, pollId: t.pollId, tallies: t.tallies, total: t.total }),
    });
    ctx.onStart('polls', () => () => polls.close());
    ctx.provide('polls', polls);
  },
  worker(ctx) {
    // A poll still open at the end is closed with its final tallies, once.
    ctx.step(pollsCloseStep({ scripts: ctx.infra.scripts, logMaxLen: ctx.config.ROOM_LOG_MAX_LEN }));
  },
});
