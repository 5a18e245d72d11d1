/**
 * The studio header's on-air timer: time since the live started, on the server clock (from the snapshot's
 * `startedAt` and the `live:status` events); it stops at the end. Status, online, peak, unique and likes are
 * written by room-view; GMV by the live panel.
 */
import type { RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import type { Panel, StudioCtx } from './ui';

/** 3_725_000 ms → "1:02:05", 65_000 → "1:05". */
export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function headerPanel(ctx: StudioCtx): Panel {
  const timer = document.getElementById('live-timer')!;
  let startedAt: number | null = null;
  let endedAt: number | null = null;
  let status = '';
  const render = () => {
    // Go live is the next step before the live, End live during it; neither after.
    (document.getElementById('start') as HTMLButtonElement).disabled = status !== 'scheduled';
    (document.getElementById('end') as HTMLButtonElement).disabled = status !== 'live';
    const end = endedAt ?? ctx.now();
    timer.textContent = startedAt === null ? '0:00' : elapsed(end - startedAt);
    timer.dataset.running = String(startedAt !== null && endedAt === null);
  };
  return {
    onSnapshot(s: RoomSnapshot) {
      document.getElementById('head-stats')!.hidden = false;
      startedAt = s.live.startedAt ? Date.parse(s.live.startedAt) : null;
      endedAt = s.live.endedAt ? Date.parse(s.live.endedAt) : null;
      status = s.live.status;
      render();
    },
    onEvent(e: RoomEvent) {
      if (e.type !== 'live:status') return;
      status = String((e.data as { status?: string }).status);
      if (status === 'live') startedAt ??= e.at;
      if (status === 'ended') endedAt = e.at;
      render();
    },
    onTick: render,
  };
}
