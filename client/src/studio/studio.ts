/**
 * Wires the studio panels to the live client: one RoomHandlers fans the room's snapshot, events, presence,
 * likes and facts out to the shared room view and to every panel; a one-second tick drives countdowns.
 */

import type { Role } from '@lc/contracts/ids';
import { el } from '../dom';
import { onLangChange, t } from '../i18n';
import type { LiveClient, RoomHandlers } from '../live-client';
import { chatPanel } from './chat';
import { couponsPanel } from './coupons';
import { goalsPanel } from './goals';
import { lotteryPanel } from './lottery';
import { moderationPanel } from './moderation';
import { pollsPanel } from './polls';
import { productsPanel } from './products';
import { qaPanel } from './qa';
import { salesPanel } from './sales';
import { statsPanel } from './stats';
import './strings';
import { createCtx, type Panel } from './ui';

/**
 * Events the room feed (room-view's list) shows on the studio; the rest (stock ticks, product upserts, lottery
 * and Q&A updates …) have their own panels and would only flood the feed.
 */
const FEED = new Set([
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

/** Panels only the host can use; an appointed moderator's studio hides them (see style.css). */
const HOST_ONLY = [
  'goals-panel',
  'products-panel',
  'sales-panel',
  'coupons-panel',
  'lottery-panel',
  'polls-panel',
];

/** `onRole`: the caller's role in this live, from each snapshot and from `room:role` (appointed / revoked). */
export function createStudio(view: RoomHandlers, onRole: (role: Role) => void = () => {}) {
  const panels: Panel[] = [];
  let ctx: ReturnType<typeof createCtx> | null = null;
  const each = (fn: (p: Panel) => void) => {
    for (const p of panels) {
      try {
        fn(p);
      } catch (err) {
        console.error('studio panel failed', err);
      }
    }
  };
  const handlers: RoomHandlers = {
    onSnapshot(s) {
      view.onSnapshot({ ...s, recent: s.recent.filter((e) => FEED.has(e.type)) });
      ctx?.learnClock(s.serverTime);
      setRole(s.role);
      each((p) => p.onSnapshot?.(s));
    },
    onEvents(events) {
      const feed = events.filter((e) => FEED.has(e.type));
      if (feed.length) view.onEvents(feed);
      for (const e of events) each((p) => p.onEvent?.(e));
    },
    onPresence(pr) {
      view.onPresence(pr);
      each((p) => p.onPresence?.(pr));
    },
    onConn: (c, detail) => view.onConn(c, detail),
    onLikes(total) {
      view.onLikes?.(total);
      each((p) => p.onLikes?.(total));
    },
    onFact(f) {
      if (f.name === 'room:role') setRole(f.payload.role);
      view.onFact?.(f);
      each((p) => p.onFact?.(f));
    },
  };
  const setRole = (role: Role) => {
    document.body.dataset.role = role;
    onRole(role);
  };

  /** Builds the panels into `mount`; call right after constructing the client (before its first join ack). */
  const attach = (client: LiveClient, liveId: string, token: string, mount: HTMLElement) => {
    ctx = createCtx(client, liveId, token);
    const col = (id: string) => el('div', { class: 'studio-col', id });
    const left = col('studio-left');
    const right = col('studio-right');
    mount.append(left, right);
    // NOTE: creation order is the order on the page (each panel appends itself to its column).
    const stats = statsPanel(ctx, left);
    const goals = goalsPanel(ctx, left);
    const left2 = [chatPanel(ctx, left), qaPanel(ctx, left), pollsPanel(ctx, left)];
    const products = productsPanel(ctx, right);
    const sales = salesPanel(ctx, right, products);
    const coupons = couponsPanel(ctx, right, goals);
    const lottery = lotteryPanel(ctx, right, products, coupons);
    panels.push(stats, goals, ...left2, products, sales, coupons, lottery, moderationPanel(ctx, right));
    for (const id of HOST_ONLY) document.getElementById(id)?.setAttribute('data-host-only', '');
    nav(mount);
    setInterval(() => each((p) => p.onTick?.()), 1000);
    onLangChange(() => each((p) => p.onLang?.()));
  };
  return { handlers, attach };
}

/** Skip links to every panel (keyboard users jump instead of tabbing through all forms). */
function nav(mount: HTMLElement) {
  const links = [...mount.querySelectorAll<HTMLElement>('section.panel')].map((s) => {
    const h = s.querySelector('h2')!;
    const a = el('a', { href: `#${s.id}`, 'data-i18n': h.dataset.i18n ?? '' }, h.textContent ?? '');
    return el('li', s.hasAttribute('data-host-only') ? { 'data-host-only': '' } : {}, a);
  });
  const n = el(
    'nav',
    { id: 'studio-nav', 'data-i18n-label': 'studio.nav', 'aria-label': t('studio.nav') },
    el('ul', {}, ...links),
  );
  mount.before(n);
}
