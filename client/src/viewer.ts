/**
 * Viewer app (mobile-first): guest sign-in, pick a live, then the room — video, chat, likes, the pinned product
 * with its flash sale and buy flow, coupons, lottery and my prizes, polls, Q&A — each panel a module under viewer/.
 * The page fans the façade's room traffic out to the panels; panels never touch the socket.
 */
import type { AuthResponse } from '@lc/contracts/auth.schema';
import type { Live } from '@lc/contracts/live.schema';
import { $, el, formError, show } from './dom';
import { applyI18n, langSwitch, onLangChange, t } from './i18n';
import { api, type Conn, device, LiveClient, type RoomHandlers, session } from './live-client';
import { roomView } from './room-view';
import { reconnectBanner } from './viewer/banner';
import { chatPanel } from './viewer/chat';
import { couponsPanel } from './viewer/coupons';
import { likesPanel } from './viewer/likes';
import { lotteryPanel } from './viewer/lottery';
import { type Panel, ServerClock, type ViewerCtx } from './viewer/panel';
import { pollPanel } from './viewer/polls';
import { prizesPanel } from './viewer/prizes';
import { productPanel } from './viewer/product';
import { qaPanel } from './viewer/qa';
import { qualityPanel } from './viewer/quality';
import { socialPanel } from './viewer/social';
import './viewer/strings';
import './style.css';

const liveId = new URLSearchParams(location.search).get('live');
const TICK_MS = 250;

async function listLives() {
  show('#picker', true);
  const title = () => {
    $('#title').textContent = t('app.title');
  };
  title();
  onLangChange(title);
  const [live, scheduled] = await Promise.all([
    api<{ lives: Live[] }>('GET', '/api/lives?status=live'),
    api<{ lives: Live[] }>('GET', '/api/lives?status=scheduled'),
  ]);
  const items = [...live.lives, ...scheduled.lives].map((l) =>
    el('li', {}, el('a', { href: `?live=${l.id}` }, l.title), ` — ${l.hostName} (${l.status})`),
  );
  $('#lives').replaceChildren(...(items.length ? items : [el('li', {}, t('picker.empty'))]));
}

/** Room events the chat list shows; the rest (products, sales, coupons, lottery, votes) belong to panels. */
const CHAT_EVENTS = new Set([
  'live:status',
  'live:announcement',
  'comment:new',
  'comment:deleted',
  'announcement:pinned',
  'goal:reached',
  'poll:opened',
  'poll:closed',
  'qa:asked',
]);

/** Room handlers: the shared room view (status, presence, chat list) plus every viewer panel. */
function fanOut(panels: Panel[], clock: ServerClock): RoomHandlers {
  const base = roomView();
  let conn: { c: Conn; detail?: string } = { c: 'connecting' };
  onLangChange(() => base.onConn(conn.c, conn.detail));
  return {
    onSnapshot(s) {
      clock.sync(s.serverTime);
      base.onSnapshot({ ...s, recent: s.recent.filter((e) => CHAT_EVENTS.has(e.type)) });
      for (const p of panels) p.snapshot?.(s);
    },
    onEvents(events) {
      // A replay after a reconnect carries old `at`s: low samples that the clock's max ignores.
      const last = events.at(-1);
      if (last) clock.observe(last.at);
      base.onEvents(events.filter((e) => CHAT_EVENTS.has(e.type)));
      for (const e of events) for (const p of panels) p.event?.(e);
    },
    onPresence: base.onPresence,
    onConn(c, detail) {
      conn = { c, detail };
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

function enter(auth: AuthResponse) {
  show('#guest', false);
  if (!liveId) return void listLives();
  show('#room', true);
  const clock = new ServerClock();
  // NOTE: panels get the context before the client exists; the client only calls back after connecting.
  const ctx = { liveId, auth, clock } as ViewerCtx;
  const coupons = couponsPanel(ctx);
  const lottery = lotteryPanel(ctx);
  const panels: Panel[] = [
    reconnectBanner(),
    chatPanel(ctx, (text) => lottery.commented(text)),
    likesPanel(ctx),
    productPanel(ctx, () => coupons.list()),
    coupons,
    lottery,
    prizesPanel(ctx),
    pollPanel(ctx),
    qaPanel(ctx),
    qualityPanel(ctx),
    socialPanel(ctx),
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

$('#lang-slot').replaceWith(langSwitch());
applyI18n();
const existing = session.get();
if (existing) enter(existing);
else {
  show('#guest', true);
  $<HTMLFormElement>('#guest-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const displayName = $<HTMLInputElement>('#guest-name').value;
    try {
      const auth = await api<AuthResponse>('POST', '/api/auth/guest', {
        displayName,
        deviceId: device.get(),
      });
      device.set(auth.deviceId);
      session.set(auth);
      enter(auth);
    } catch (err) {
      formError('#guest-error', err);
    }
  });
}
