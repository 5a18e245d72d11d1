/**
 * Reading and managing recordings: who may watch (a published recording: anyone; otherwise the live's host and
 * moderators), the stitched playlist and its files, the host's list, publish/unpublish and delete.
 */
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import type { Recording, ReplayCommentsPage } from '@lc/contracts/replay.schema';
import type { RecordingRow, RecordingsRepo } from '../../ledger/recordings.repo';
import type { ReplayCommentsRepo } from '../../ledger/replay-comments.repo';
import type { LivesService } from '../lives/lives.service';
import { offsetAt, stitchPlaylist } from './playlist';
import type { RecordingStore } from './recording-store';

export function createReplayService(deps: {
  repo: RecordingsRepo;
  comments: ReplayCommentsRepo;
  store: RecordingStore;
  lives: Pick<LivesService, 'get' | 'roleOf'>;
}) {
  const { repo, store } = deps;

  /** @throws LIVE_NOT_FOUND, RECORDING_NOT_FOUND, RECORDING_NOT_PUBLISHED */
  const readable = async (liveId: string, user: TokenClaims | undefined): Promise<RecordingRow> => {
    await deps.lives.get(liveId);
    const rec = await repo.get(liveId);
    if (!rec) throw new AppError('RECORDING_NOT_FOUND', 'this live has no recording');
    if (rec.published) return rec;
    const role = user ? await deps.lives.roleOf(user, liveId) : 'viewer';
    if (role === 'host' || role === 'moderator') return rec;
    throw new AppError('RECORDING_NOT_PUBLISHED', 'this recording is not published');
  };

  const describe = async (rec: RecordingRow, title?: string): Promise<Recording> => {
    const runs = await repo.runs(rec.liveId);
    const gaps = runs.slice(1).flatMap((r, i) => {
      const prev = runs[i]!;
      return prev.endedAt === null
        ? []
        : [{ from: prev.endedAt, to: r.startedAt, reason: prev.endReason ?? 'unknown' }];
    });
    return {
      liveId: rec.liveId,
      ...(title ? { title } : {}),
      status: rec.status,
      stopReason: rec.stopReason,
      published: rec.published,
      bytes: rec.bytes,
      durationMs: rec.durationMs,
      startedAt: rec.startedAt,
      endedAt: rec.endedAt,
      chapters: rec.chapters as Recording['chapters'],
      gaps,
      playlistUrl: `/api/lives/${rec.liveId}/recording/index.m3u8`,
    };
  };

  return {
    /** @throws LIVE_NOT_FOUND, RECORDING_NOT_FOUND, RECORDING_NOT_PUBLISHED */
    async get(liveId: string, user: TokenClaims | undefined): Promise<Recording> {
      const rec = await readable(liveId, user);
      return describe(rec, (await deps.lives.get(liveId)).title);
    },
    /** The whole recording as one HLS playlist. @throws as `get` */
    async playlist(liveId: string, user: TokenClaims | undefined): Promise<string> {
      const rec = await readable(liveId, user);
      const runs = await repo.runs(liveId);
      const texts = await store.runPlaylists(
        liveId,
        runs.map((r) => r.run),
      );
      return stitchPlaylist(texts, rec.status !== 'recording');
    },
    /** @throws as `get`, VALIDATION (not a recording file name), NOT_FOUND */
    async file(liveId: string, name: string, user: TokenClaims | undefined) {
      await readable(liveId, user);
      return store.file(liveId, name);
    },
    /**
     * A page of the live's comments with their offsets in the recording (a comment said in a gap shows at the
     * next run's start). @throws as `get`
     */
    async comments(
      liveId: string,
      user: TokenClaims | undefined,
      q: { afterSeq: number; limit: number },
    ): Promise<ReplayCommentsPage> {
      const rec = await readable(liveId, user);
      const end = rec.endedAt ? Date.parse(rec.endedAt) : Date.now();
      const spans = (await repo.runs(liveId)).map((r) => ({
        run: r.run,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        seconds: r.seconds ?? ((r.endedAt ?? end) - r.startedAt) / 1000,
      }));
      const rows = await deps.comments.page(liveId, q.afterSeq, q.limit);
      return {
        comments: rows.map((c) => ({
          seq: c.seq,
          offsetMs: offsetAt(c.at, spans),
          name: c.name,
          text: c.text,
        })),
        next: rows.length === q.limit ? rows[rows.length - 1]!.seq : null,
      };
    },
    /** The recordings of the caller's lives, newest first. */
    async list(hostId: string): Promise<Recording[]> {
      const rows = await repo.listByHost(hostId);
      return Promise.all(rows.map((r) => describe(r, r.title)));
    },
    /** @throws RECORDING_NOT_FOUND */
    async publish(liveId: string, published: boolean): Promise<Recording> {
      const rec = await repo.get(liveId);
      if (!rec) throw new AppError('RECORDING_NOT_FOUND', 'this live has no recording');
      await repo.setPublished(liveId, published);
      return describe({ ...rec, published });
    },
    /** Deletes the files and the record. @throws RECORDING_NOT_FOUND, RECORDING_IN_PROGRESS */
    async remove(liveId: string): Promise<void> {
      const rec = await repo.get(liveId);
      if (!rec) throw new AppError('RECORDING_NOT_FOUND', 'this live has no recording');
      if (rec.status === 'recording') {
        throw new AppError('RECORDING_IN_PROGRESS', 'the live is still being recorded');
      }
      await store.remove(liveId);
      await repo.delete(liveId);
    },
  };
}
export type ReplayService = ReturnType<typeof createReplayService>;
