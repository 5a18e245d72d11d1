/**
 * End-of-live step `polls-close`: a poll still open when the live ends is closed now (the `poll-close` script
 * appends `poll:closed` with the final tallies to the room log once) and its result and votes are recorded in
 * the ledger. Idempotent: the script closes once, and the ledger write only fills a poll not yet closed there
 * (so a run that crashed between the two is repaired by the next).
 */
import { POLL_EVENT, type Poll } from '@lc/contracts/poll.schema';
import type { EndOfLiveStep } from '../../jobs/end-of-live';
import { createPollsRepo } from '../../ledger/polls.repo';
import type { Scripts } from '../../redis/scripts';

export function pollsCloseStep(deps: {
  scripts: Scripts;
  logMaxLen: number;
  now?: () => number;
}): EndOfLiveStep {
  const now = deps.now ?? Date.now;
  return {
    name: 'polls-close',
    roomKeys: 'reads',
    async run({ liveId, db, redis, keys }) {
      const pollId = await redis.hget(keys.poll(liveId), 'id');
      // No poll ever, or the room's keys were already released (the poll was closed before that).
      if (!pollId) return { poll: null };
      const [code, , json] = await deps.scripts.run<[number, number, string]>(
        'poll-close',
        [keys.poll(liveId), keys.pollTally(liveId, pollId), keys.seq(liveId), keys.log(liveId)],
        [pollId, now(), 1, deps.logMaxLen, POLL_EVENT.closed],
      );
      if ((code !== 1 && code !== 0) || !json) return { poll: pollId, closed: false };
      const poll = JSON.parse(json) as Poll;
      const votes = await redis.hgetall(keys.pollVoters(liveId, pollId));
      await createPollsRepo(db).recordResult(poll, votes);
      return { poll: pollId, closedNow: code === 1, tallies: poll.tallies, total: poll.total };
    },
  };
}
