/**
 * The room: builds every viewer panel, fans the façade's room traffic out to them (panels never touch the
 * socket), drives the countdown tick, and plays the video (muted autoplay, then Unmute).
 */
import type { AuthResponse } from '@lc/contracts/auth.schema';
import { $ } from '../dom';
import { onLangChange, t } from '../i18n';
import { LiveClient, type RoomHandlers } from '../live-client';
import { FEED_EVENTS, roomView } from '../room-view';
import { actionBar } from './action-bar';
import { auctionPanel } from './auction';
import { reconnectBanner } from './banner';
import { chatPanel } from './chat';
import { couponsPanel } from './coupons';
import { groupBuyPanel } from './groupbuy';
import { likesPanel } from './likes';
import { lotteryPanel } from './lottery';
import { type Panel, ServerClock, type ViewerCtx } from './panel';
import { pollPanel } from './polls';
import { prizesPanel } from './prizes';
import { productPanel } from './product';
import { qaPanel } from './qa';
import { qualityPanel } from './quality';
import { sheets } from './sheets';
import { socialPanel } from './social';

const TICK_MS = 250;

/** Room handlers: the shared room view (status, presence, chat list) plus every viewer panel. */
function fanOut(panels: Panel[], clock: ServerClock): RoomHandlers {
  const base = roomView();
  return {
    onSnapshot(s) {
      clock.sync(s.serverTime);
      document.title = s.live.title;
      base.onSnapshot({ ...s, recent: s.recent.filter((e) => FEED_EVENTS.has(e.type)) });
      for (const p of panels) p.snapshot?.(s);
    },
    onEvents(events) {
      // A replay after a reconnect carries old `at`s: low samples that the clock's max ignores.
      const last = events.at(-1);
      if (last) clock.observe(last.at);
      base.onEvents(events.filter((e) => FEED_EVENTS.has(e.type)));
      for (const e of events) for (const p of panels) p.event?.(e);
    },
    onPresence: base.onPresence,
    onConn(c, detail) {
      base.onConn(c, detail);
      for (const p of panels) p.conn?.(c);
    },
    onLikes(total) {
      base.onLikes?.(total);
      for (const p of panels) p.likes?.(total);
    },
    onFact(f) {
      for (const p of panels) p.fact?.(f);
    },
  };
}

export function enterRoom(auth: AuthResponse, liveId: string): void {
  $('#room').hidden = false;
  const clock = new ServerClock();
  const ui = sheets();
  // NOTE: panels get the context before the client exists; the client only calls back after connecting.
  const ctx = { liveId, auth, clock, sheets: ui } as ViewerCtx;
  const coupons = couponsPanel(ctx);
  const lottery = lotteryPanel(ctx);
  const panels: Panel[] = [
    reconnectBanner(),
    chatPanel(ctx, (text) => lottery.commented(text)),
    likesPanel(ctx),
    productPanel(ctx, () => coupons.list()),
    coupons,
    auctionPanel(ctx),
    groupBuyPanel(ctx),
    lottery,
    prizesPanel(ctx),
    pollPanel(ctx),
    qaPanel(ctx),
    qualityPanel(ctx),
    socialPanel(ctx),
    actionBar(),
  ];
  ctx.client = new LiveClient(auth.token, liveId, fanOut(panels, clock));
  setInterval(() => {
    const now = clock.now();
    for (const p of panels) p.tick?.(now);
  }, TICK_MS);
  onLangChange(() => {
    for (const p of panels) p.relabel?.();
  });
  watch(ctx.client);
}

/** The video: muted autoplay, then the Unmute prompt. */
function watch(client: LiveClient) {
  const player = $<HTMLVideoElement>('#player');
  const unmute = $<HTMLButtonElement>('#unmute');
  const mediaState = $('#media-state');
  let last: { state: string; detail?: string } = { state: 'idle' };
  const showState = () => {
    const name = t(`media.state.${last.state}`);
    mediaState.textContent = last.detail ? `${name} (${last.detail})` : name;
  };
  onLangChange(showState);
  client.enableMedia('watch', {
    onState(state, detail) {
      mediaState.dataset.state = state;
      document.body.dataset.media = state;
      last = { state, detail };
      showState();
    },
    onStream(stream) {
      player.srcObject = stream;
      // NOTE: browsers autoplay muted video only; sound needs the click on Unmute.
      void player.play().catch(() => {});
    },
  });
  unmute.onclick = () => {
    player.muted = false;
    void player.play().catch(() => {});
    unmute.hidden = true;
  };
}
