/**
 * Replay (issue #17): every live is recorded on the node hosting its media (ffmpeg, HLS under
 * DATA_DIR/recordings/<liveId>/), chaptered after the end from the room log, and served to viewers once its
 * host publishes it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LIKE_EVENT } from '@lc/contracts/likes.schema';
import { ROOM_EVENT } from '@lc/contracts/room.schema';
import { type ApiContext, defineFeature } from '../../composition/feature';
import { createRecordingsRepo } from '../../ledger/recordings.repo';
import { createReplayCommentsRepo } from '../../ledger/replay-comments.repo';
import { createReplaySalesRepo } from '../../ledger/replay-sales.repo';
import { createRecordingStore, type RecordingStore } from './recording-store';
import { replayChaptersStep } from './replay.jobs';
import { replayRoutes } from './replay.routes';
import { createReplayService, type ReplayService } from './replay.service';
import { replayCommentsStep } from './replay-comments.jobs';
import { createReplayCommerce } from './replay-commerce';
import { replayCommerceRoutes } from './replay-commerce.routes';
import { createReplayRecorder, type ReplayRecorder } from './replay-recorder';

declare module '../../composition/services' {
  interface Services {
    replay: ReplayService;
    replayRecorder: ReplayRecorder;
  }
}

const RETENTION_SWEEP_MS = 60 * 60 * 1000;

export const replayFeature = defineFeature({
  name: 'replay',
  api(ctx) {
    const repo = createRecordingsRepo(ctx.db);
    const store = createRecordingStore(join(ctx.config.DATA_DIR, 'recordings'));
    const comments = createReplayCommentsRepo(ctx.db);
    const replay = createReplayService({ repo, comments, store, lives: ctx.use('lives') });
    replayRoutes(ctx.app, { replay, tokens: ctx.tokens });
    const { config } = ctx;
    const commerce = createReplayCommerce({
      repo: createReplaySalesRepo(ctx.db),
      replay,
      lives: ctx.use('lives'),
      commerce: ctx.use('commerce'),
      redis: ctx.redis,
      keys: ctx.keys,
      scripts: ctx.scripts,
      endQueue: ctx.endQueue,
      settleAfterMs: (config.RESERVATION_TTL_SEC + config.PAYMENT_TIMEOUT_SEC) * 1000 + 5000,
    });
    replayCommerceRoutes(ctx.app, { commerce });
    // A like goal is reached in a script of its own (no room-log append here): keep the moment for the chapters.
    ctx.use('likes').onGoalReached(async ({ liveId, seq, goal, total }) => {
      const moment = { seq, type: LIKE_EVENT.goalReached, at: Date.now(), data: { goal, total } };
      await ctx.redis.rpush(ctx.keys.moments(liveId), JSON.stringify(moment));
    });
    ctx.provide('replay', replay);
    startRecording(ctx, repo, store);
    const days = ctx.config.RECORDING_RETAIN_DAYS;
    if (days > 0) {
      ctx.onStart('replay-retention', () => {
        const sweep = async () => {
          for (const liveId of await repo.endedBefore(Date.now() - days * 86_400_000)) {
            await store.remove(liveId);
            await repo.delete(liveId);
            ctx.log.info({ liveId, days }, 'recording: deleted after its retention');
          }
        };
        const run = () =>
          void sweep().catch((err: unknown) => ctx.log.warn({ err }, 'recording retention sweep failed'));
        run();
        const timer = setInterval(run, RETENTION_SWEEP_MS);
        return () => clearInterval(timer);
      });
    }
  },
  worker(ctx) {
    ctx.step(replayChaptersStep({ rerunAt: (...a) => ctx.rerunAt(...a) }));
    ctx.step(replayCommentsStep());
  },
});

function startRecording(
  ctx: ApiContext,
  repo: ReturnType<typeof createRecordingsRepo>,
  store: RecordingStore,
) {
  const { config, log } = ctx;
  const rooms = ctx.maybe('mediaRooms');
  if (!config.RECORDING_ENABLED || !rooms) return;
  const probe = spawnSync(config.RECORDING_FFMPEG, ['-version'], { stdio: 'ignore' });
  if (probe.status !== 0) {
    log.error(
      { alert: 'recording', ffmpeg: config.RECORDING_FFMPEG },
      'recording: ffmpeg not found; lives are not recorded (apt-get install ffmpeg, or set RECORDING_FFMPEG)',
    );
    return;
  }
  const recorder = createReplayRecorder({
    config: {
      ffmpeg: config.RECORDING_FFMPEG,
      rtpPorts: { min: config.RECORDING_RTP_MIN_PORT, max: config.RECORDING_RTP_MAX_PORT },
      maxBytes: config.RECORDING_MAX_MB * 1024 * 1024,
      minFreeBytes: config.RECORDING_MIN_FREE_MB * 1024 * 1024,
    },
    rooms,
    repo,
    store,
    log,
  });
  ctx.use('lives').onEnded((liveId) => void recorder.liveEnded(liveId));
  ctx.onRoomFrame((liveId, events) => {
    const ended = events.some(
      (e) => e.type === ROOM_EVENT.liveStatus && (e.data as { status?: string }).status === 'ended',
    );
    if (ended) void recorder.liveEnded(liveId);
  });
  ctx.onClose('replay-recorder', () => recorder.close());
  ctx.provide('replayRecorder', recorder);
}
