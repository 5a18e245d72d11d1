/**
 * Records one live's host tracks to HLS with ffmpeg. A recording is a sequence of runs: a run is one ffmpeg
 * process fed by taps (plain RTP consumers) of the producers the room had when it started. A run ends when a
 * tapped producer closes (host reconnect: the new producers start the next run), when the room's router goes
 * (worker died: `attach` the rebuilt room), or when ffmpeg exits on its own (an alert, then a new run). The
 * caller stitches runs into one playlist with a discontinuity between them. Knows nothing of the ledger.
 */
import { EventEmitter } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { types as ms } from 'mediasoup';
import type { MediaRoom } from '../media-room';
import { type FfmpegRun, ffmpegHlsArgs, runName, spawnFfmpeg } from './ffmpeg-hls';
import { buildRecordingSdp, type SdpStream } from './recording-sdp';
import type { UdpPortPairs } from './udp-ports';

export type RunEndReason = 'producer-closed' | 'tracks-changed' | 'room-closed' | 'ffmpeg-exited' | 'stopped';

export interface LiveRecorderEvents {
  runstarted: [{ run: number; startedAt: number; kinds: string[]; videoCodec?: string }];
  runended: [{ run: number; startedAt: number; endedAt: number; reason: RunEndReason; detail?: string }];
  /** Something an operator should see (ffmpeg died, a run could not start); the live itself is never touched. */
  alert: [{ message: string; run?: number; detail?: string }];
}

export interface LiveRecorderOptions {
  liveId: string;
  dir: string;
  ffmpegBin: string;
  ports: UdpPortPairs;
  /** The first run number (a recording resumed on this node continues its numbering). */
  firstRun: number;
  segmentSeconds?: number;
  /** Keyframe requests while copying H264: each one lets ffmpeg cut a segment there. */
  keyframeIntervalMs?: number;
  /** Waits for the host's other track before a run starts, and before a run restarts after ffmpeg died. */
  settleMs?: number;
  restartDelayMs?: number;
}

const FINISH_GRACE_MS = 15_000;

interface Tap {
  kind: ms.MediaKind;
  producerId: string;
  port: number;
  transport: ms.PlainTransport;
  consumer: ms.Consumer;
}
interface Run {
  run: number;
  startedAt: number;
  taps: Tap[];
  ffmpeg: FfmpegRun;
  timers: NodeJS.Timeout[];
  ending: boolean;
}

export class LiveRecorder extends EventEmitter<LiveRecorderEvents> {
  readonly #o: Required<LiveRecorderOptions>;
  #room: MediaRoom | undefined;
  #detach: (() => void) | undefined;
  #run: Run | undefined;
  #starting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #nextRun: number;
  #stopped = false;
  readonly #finishing = new Set<Promise<void>>();

  constructor(options: LiveRecorderOptions) {
    super();
    this.#o = {
      segmentSeconds: 2,
      keyframeIntervalMs: 2000,
      settleMs: 600,
      restartDelayMs: 500,
      ...options,
    };
    this.#nextRun = options.firstRun;
  }

  get stopped(): boolean {
    return this.#stopped;
  }
  /** The run being written now, if any. */
  get currentRun(): number | undefined {
    return this.#run?.run;
  }
  /** ffmpeg's pid of the current run (tests kill it). */
  get ffmpegPid(): number | undefined {
    return this.#run?.ffmpeg.process.pid;
  }

  /** Follows this room's producers (the same room again changes nothing; a rebuilt room replaces the old). */
  attach(room: MediaRoom): void {
    if (this.#stopped || room === this.#room) return;
    this.#detach?.();
    if (this.#run) void this.#end('room-closed');
    this.#room = room;
    const onProducer = () => this.#schedule(this.#o.settleMs);
    const onClosed = () => {
      if (this.#room === room && this.#run) void this.#end('room-closed');
    };
    room.on('newproducer', onProducer);
    room.once('closed', onClosed);
    this.#detach = () => {
      room.off('newproducer', onProducer);
      room.off('closed', onClosed);
    };
    if (room.producers.length > 0) this.#schedule(this.#o.settleMs);
  }

  /** Ends the current run (ffmpeg finishes its playlist) and records no more. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#detach?.();
    this.#detach = undefined;
    await this.#starting;
    if (this.#run) void this.#end('stopped');
    await Promise.all([...this.#finishing]);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#starting = this.#sync().finally(() => {
        this.#starting = undefined;
      });
    }, delayMs);
  }

  /** Makes the current run tap the room's current producers (the newest of each kind). */
  async #sync(): Promise<void> {
    const room = this.#room;
    if (this.#stopped || !room || room.closed) return;
    const latest = new Map<string, string>();
    for (const p of room.producers) latest.set(p.kind, p.id);
    const wanted = [...latest.values()].sort();
    const tapped = (this.#run?.taps.map((t) => t.producerId) ?? []).sort();
    if (wanted.join() === tapped.join()) return;
    if (this.#run) void this.#end('tracks-changed');
    if (wanted.length === 0) return;
    try {
      this.#run = await this.#startRun(room, wanted);
    } catch (err) {
      this.emit('alert', { message: 'recording run could not start', detail: (err as Error).message });
      this.#schedule(this.#o.restartDelayMs * 4);
    }
  }

  async #startRun(room: MediaRoom, producerIds: string[]): Promise<Run> {
    const { dir, ports } = this.#o;
    await mkdir(dir, { recursive: true });
    const run = this.#nextRun++;
    const taps: Tap[] = [];
    try {
      for (const producerId of producerIds) {
        const port = await ports.take();
        try {
          const { transport, consumer } = await room.createTap(producerId, { ip: '127.0.0.1', port });
          taps.push({ kind: consumer.kind, producerId, port, transport, consumer });
        } catch (err) {
          ports.release(port);
          throw err;
        }
      }
      const streams = taps.map((t) => sdpStream(t));
      await writeFile(join(dir, `${runName(run)}.sdp`), buildRecordingSdp(streams));
    } catch (err) {
      for (const t of taps) this.#closeTap(t);
      throw err;
    }
    const video = taps.find((t) => t.kind === 'video');
    const videoCodec = video ? codecName(video.consumer) : undefined;
    const ffmpeg = spawnFfmpeg(
      this.#o.ffmpegBin,
      ffmpegHlsArgs({ dir, run, videoCodec, segmentSeconds: this.#o.segmentSeconds }),
    );
    const state: Run = { run, startedAt: Date.now(), taps, ffmpeg, timers: [], ending: false };
    for (const tap of taps) {
      tap.consumer.on('producerclose', () => this.#endAndResync(state, 'producer-closed'));
      tap.consumer.on('transportclose', () => this.#endAndResync(state, 'room-closed'));
      if (tap.kind === 'video') {
        // Simulcast: record the best layer the host sends.
        await tap.consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 }).catch(() => {});
      }
      await tap.consumer.resume();
    }
    void ffmpeg.exited.then(({ code, signal, stderr }) => {
      if (state.ending) return;
      const detail = `ffmpeg exited (code ${code}, signal ${signal}): ${stderr.trim().slice(-500)}`;
      this.emit('alert', { message: 'recording ffmpeg exited mid-live; starting a new run', run, detail });
      void this.#end('ffmpeg-exited', detail, state);
      this.#schedule(this.#o.restartDelayMs);
    });
    // NOTE: ffmpeg binds its ports a moment after spawning and drops video until a keyframe: ask a few times at
    // first, then (copying H264) at every segment length so segments can be cut on time.
    if (video) {
      const ask = () => void video.consumer.requestKeyFrame().catch(() => {});
      for (const ms of [300, 1000, 2000, 3500]) state.timers.push(setTimeout(ask, ms));
      if (videoCodec === 'H264') state.timers.push(setInterval(ask, this.#o.keyframeIntervalMs));
    }
    this.emit('runstarted', {
      run,
      startedAt: state.startedAt,
      kinds: taps.map((t) => t.kind),
      ...(videoCodec ? { videoCodec } : {}),
    });
    return state;
  }

  #endAndResync(state: Run, reason: RunEndReason): void {
    if (state.ending || this.#run !== state) return;
    void this.#end(reason, undefined, state);
    this.#schedule(this.#o.settleMs);
  }

  /**
   * Ends a run: the run is over at once (`runended`), while its ffmpeg finishes its playlist in the background.
   * NOTE: ffmpeg reads RTP without a deadline of its own; with its producer gone it acts on SIGINT only after its
   * read times out (about 10 s), hence the long grace. The taps stay open until it exited.
   */
  #end(reason: RunEndReason, detail?: string, which: Run | undefined = this.#run): Promise<void> {
    if (!which || which.ending) return Promise.resolve();
    which.ending = true;
    if (this.#run === which) this.#run = undefined;
    for (const t of which.timers) clearTimeout(t);
    this.emit('runended', {
      run: which.run,
      startedAt: which.startedAt,
      endedAt: Date.now(),
      reason,
      ...(detail ? { detail } : {}),
    });
    const finished = which.ffmpeg.stop(FINISH_GRACE_MS).then(() => {
      for (const t of which.taps) this.#closeTap(t);
    });
    this.#finishing.add(finished);
    void finished.finally(() => this.#finishing.delete(finished));
    return finished;
  }

  #closeTap(tap: Tap): void {
    tap.transport.close();
    this.#o.ports.release(tap.port);
  }
}

const codecName = (consumer: ms.Consumer) =>
  (consumer.rtpParameters.codecs[0]?.mimeType ?? '').split('/')[1] ?? '';

function sdpStream(tap: Tap): SdpStream {
  const codec = tap.consumer.rtpParameters.codecs[0];
  if (!codec) throw new Error(`consumer ${tap.consumer.id} has no codec`);
  return {
    kind: tap.kind,
    port: tap.port,
    payloadType: codec.payloadType,
    codec: codec.mimeType.split('/')[1] ?? codec.mimeType,
    clockRate: codec.clockRate,
    ...(codec.channels ? { channels: codec.channels } : {}),
    parameters: codec.parameters ?? {},
  };
}
