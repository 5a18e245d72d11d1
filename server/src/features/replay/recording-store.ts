/**
 * The recordings folder (DATA_DIR/recordings/<liveId>/): what a recording holds on disk — its runs' playlists,
 * size and length — and the checks on it: file names (no path ever leaves the folder), the quota and the disk's
 * free space.
 */
import { readdir, readFile, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@lc/contracts/errors';
import { RECORDING_FILE, runName } from '../../../../media/src/recording/ffmpeg-hls';
import { type RunPlaylist, runSeconds } from './playlist';

export function createRecordingStore(root: string) {
  const dirOf = (liveId: string) => join(root, liveId);

  const sizeOf = async (dir: string): Promise<number> => {
    const names = await readdir(dir).catch(() => [] as string[]);
    const sizes = await Promise.all(
      names.map((n) =>
        stat(join(dir, n)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
    );
    return sizes.reduce((a, b) => a + b, 0);
  };

  return {
    root,
    dirOf,
    /** Each run's playlist text ('' when ffmpeg wrote none), in run order. */
    async runPlaylists(liveId: string, runs: readonly number[]): Promise<RunPlaylist[]> {
      return Promise.all(
        runs.map(async (run) => ({
          run,
          text: await readFile(join(dirOf(liveId), `${runName(run)}.m3u8`), 'utf8').catch(() => ''),
        })),
      );
    },
    async runSeconds(liveId: string, run: number): Promise<number> {
      const text = await readFile(join(dirOf(liveId), `${runName(run)}.m3u8`), 'utf8').catch(() => '');
      return runSeconds(text);
    },
    size: (liveId: string) => sizeOf(dirOf(liveId)),
    /** Bytes under the recordings folder, every live together. */
    async totalSize(): Promise<number> {
      const lives = await readdir(root).catch(() => [] as string[]);
      const sizes = await Promise.all(lives.map((l) => sizeOf(join(root, l))));
      return sizes.reduce((a, b) => a + b, 0);
    },
    /** Free bytes on the disk holding the recordings. */
    async freeBytes(): Promise<number> {
      const s = await statfs(root).catch(() => undefined);
      return s ? s.bavail * s.bsize : Number.POSITIVE_INFINITY;
    },
    /**
     * The path of a file a recording may serve. @throws VALIDATION for any other name (a path, `..`, the SDP),
     * NOT_FOUND when there is no such file.
     */
    async file(liveId: string, name: string): Promise<{ path: string; size: number }> {
      if (!RECORDING_FILE.test(name)) throw new AppError('VALIDATION', 'not a recording file name');
      const path = join(dirOf(liveId), name);
      const s = await stat(path).catch(() => undefined);
      if (!s?.isFile()) throw new AppError('NOT_FOUND', 'no such recording file');
      return { path, size: s.size };
    },
    async remove(liveId: string): Promise<void> {
      await rm(dirOf(liveId), { recursive: true, force: true });
    },
  };
}
export type RecordingStore = ReturnType<typeof createRecordingStore>;
