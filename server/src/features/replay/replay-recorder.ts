/**
 * Recording on the API node that hosts a live's media: one LiveRecorder per live, attached to the live's media
 * room whenever the host publishes (a rebuilt room after a worker restart too), its runs written to the ledger,
 * stopped when the live ends. A watchdog stops recording — never the live — when the quota or the disk runs out,
 * with an alert in the log. Alerts are logged at error level with `alert: 'recording'`.
 */
import { mkdir } from 'node:fs/promises';
import { LiveRecorder } from '../../../../media/src/recording/live-recorder';
import { createUdpPortPairs } from '../../../../media/src/recording/udp-ports';
import type { FeatureLog } from '../../composition/feature';
import type { RecordingsRepo } from '../../ledger/recordings.repo';
import type { MediaRooms } from '../sfu/media-rooms';
import type { RecordingStore } from './recording-store';

export interface RecorderConfig {
  ffmpeg: string;
  rtpPorts: { min: number; max: number };
  maxBytes: number;
  minFreeBytes: number;
  watchdogMs?: number;
}

export function createReplayRecorder(deps: {
  config: RecorderConfig;
  rooms: MediaRooms;
  repo: RecordingsRepo;
  store: RecordingStore;
  log: FeatureLog;
}) {
  const { config, rooms, repo, store, log } = deps;
  const ports = createUdpPortPairs(config.rtpPorts);
  const recorders = new Map<string, Promise<LiveRecorder | undefined>>();
  const alert = (liveId: string, o: object, message: string) =>
    log.error({ alert: 'recording', liveId, ...o }, `recording: ${message}`);

  const open = async (liveId: string): Promise<LiveRecorder | undefined> => {
    const existing = await repo.get(liveId);
    if (existing && existing.status !== 'recording') return undefined; // stopped (disk) or finished
    await mkdir(store.dirOf(liveId), { recursive: true });
    const recorder = new LiveRecorder({
      liveId,
      dir: store.dirOf(liveId),
      ffmpegBin: config.ffmpeg,
      ports,
      firstRun: await repo.nextRun(liveId),
    });
    recorder.on('runstarted', ({ run, startedAt, kinds, videoCodec }) => {
      log.info({ liveId, run, kinds, videoCodec }, 'recording: run started');
      void repo
        .runStarted(liveId, run, startedAt)
        .catch((err) => alert(liveId, { err, run }, 'ledger write failed'));
    });
    recorder.on('runended', ({ run, endedAt, reason, detail }) => {
      log.info({ liveId, run, reason, detail }, 'recording: run ended');
      void repo
        .runEnded(liveId, run, endedAt, reason)
        .catch((err) => alert(liveId, { err, run }, 'ledger write failed'));
    });
    recorder.on('alert', ({ message, run, detail }) => alert(liveId, { run, detail }, message));
    return recorder;
  };

  const recorderOf = (liveId: string) => {
    let r = recorders.get(liveId);
    if (!r) {
      r = open(liveId).catch((err: unknown) => {
        alert(liveId, { err }, 'could not open the recording');
        recorders.delete(liveId);
        return undefined;
      });
      recorders.set(liveId, r);
    }
    return r;
  };

  const finish = async (liveId: string, status: 'ended' | 'stopped', reason?: string) => {
    const r = recorders.get(liveId);
    if (!r) return;
    // NOTE: the end reaches this node twice (its own end and the room frame): the first one finishes it.
    if (status === 'ended') recorders.delete(liveId);
    const recorder = await r;
    await recorder?.stop();
    if (!recorder) return;
    const runs = await repo.runs(liveId);
    let seconds = 0;
    for (const { run } of runs) {
      const s = await store.runSeconds(liveId, run);
      await repo.setRunSeconds(liveId, run, s);
      seconds += s;
    }
    await repo.finish(liveId, {
      status,
      ...(reason ? { reason } : {}),
      at: Date.now(),
      bytes: await store.size(liveId),
      durationMs: Math.round(seconds * 1000),
    });
  };

  const checkDisk = async () => {
    const live = [...recorders.keys()];
    if (live.length === 0) return;
    const [total, free] = await Promise.all([store.totalSize(), store.freeBytes()]);
    const reason = total >= config.maxBytes ? 'quota' : free < config.minFreeBytes ? 'disk-full' : undefined;
    if (!reason) return;
    for (const liveId of live) {
      const recorder = await recorders.get(liveId);
      if (!recorder || recorder.stopped) continue;
      alert(liveId, { reason, totalBytes: total, freeBytes: free }, 'stopped: no room left for recordings');
      await finish(liveId, 'stopped', reason);
    }
  };
  const watchdog = setInterval(() => void checkDisk().catch(() => {}), config.watchdogMs ?? 2000);
  watchdog.unref();

  rooms.events.on('producerNew', ({ liveId }) => {
    void (async () => {
      const room = await rooms.room(liveId);
      const recorder = await recorderOf(liveId);
      if (room && recorder && !room.closed) recorder.attach(room);
    })();
  });

  return {
    /** The live ended: the last run finishes its playlist, the recording gets its size and length. */
    liveEnded: (liveId: string) =>
      finish(liveId, 'ended').catch((err: unknown) =>
        alert(liveId, { err }, 'could not finish the recording'),
      ),
    /** The recorder of a live on this node (tests: ffmpeg's pid). */
    recorder: (liveId: string) => recorders.get(liveId),
    checkDisk,
    /** Shutdown: the runs finish their playlists; the recording stays open for the next start of this node. */
    async close() {
      clearInterval(watchdog);
      await Promise.all([...recorders.values()].map(async (r) => (await r)?.stop()));
    },
  };
}
export type ReplayRecorder = ReturnType<typeof createReplayRecorder>;
