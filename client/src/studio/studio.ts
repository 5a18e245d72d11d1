/**
 * Wires the studio panels to the live client: one RoomHandlers fans the room's snapshot, events, presence,
 * likes and facts out to the shared room view and to every panel; a one-second tick drives countdowns.
 * Panels sit in tabs (Live, Products & sales, Engagement, Lottery, Moderation, Report); hidden tabs keep
 * receiving everything, so switching loses nothing.
 */

import type { Role } from '@lc/contracts/ids';
import { onLangChange } from '../i18n';
import type { LiveClient, RoomHandlers } from '../live-client';
import { FEED_EVENTS } from '../room-view';
import { chatPanel } from './chat';
import { couponsPanel } from './coupons';
import { goalsPanel } from './goals';
import { headerPanel } from './header';
import { lotteryPanel } from './lottery';
import { mechanicsPanel } from './mechanics';
import { moderationPanel } from './moderation';
import { pollsPanel } from './polls';
import { productsPanel } from './products';
import { qaPanel } from './qa';
import { reportPanel } from './report';
import { salesPanel } from './sales';
import { studioShortcuts } from './shortcuts';
import { statsPanel } from './stats';
import './dashboard-strings';
import './strings';
import { studioTabs, type TabDef } from './tabs';
import { createCtx, type Panel } from './ui';

/** Panels only the host can use; an appointed moderator's studio hides them (see studio.css). */
const HOST_ONLY = ['goals-panel', 'polls-panel'];

const TABS: TabDef[] = [
  { id: 'live', key: 'tabs.live' },
  { id: 'shop', key: 'tabs.shop', hostOnly: true },
  { id: 'engage', key: 'tabs.engage' },
  { id: 'lottery', key: 'tabs.lottery', hostOnly: true },
  { id: 'mod', key: 'tabs.mod' },
  { id: 'report', key: 'tabs.report', hostOnly: true },
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
      view.onSnapshot({ ...s, recent: s.recent.filter((e) => FEED_EVENTS.has(e.type)) });
      ctx?.learnClock(s.serverTime);
      setRole(s.role);
      each((p) => p.onSnapshot?.(s));
    },
    onEvents(events) {
      const feed = events.filter((e) => FEED_EVENTS.has(e.type));
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
  let tabs: ReturnType<typeof studioTabs> | null = null;
  let lastRole: Role | null = null;
  const setRole = (role: Role) => {
    document.body.dataset.role = role;
    // The first role picks the tab; a role change (appointed, revoked) re-checks it is still visible.
    if (role !== lastRole) tabs?.restore();
    lastRole = role;
    onRole(role);
  };

  /** Builds the tabs and panels; call right after constructing the client (before its first join ack). */
  const attach = (client: LiveClient, liveId: string, token: string) => {
    ctx = createCtx(client, liveId, token);
    tabs = studioTabs(
      document.getElementById('studio-tabs')!,
      document.getElementById('studio-panels')!,
      TABS,
    );
    const tab = (id: string) => {
      const panel = tabs!.panel(id);
      panel.classList.add(`tabpanel-${id}`);
      return panel;
    };
    const [live, shop, engage, lottery, mod, report] = TABS.map((d) => tab(d.id)) as HTMLElement[];
    const products = productsPanel(ctx, shop!);
    const sales = salesPanel(ctx, shop!, products);
    const goals = goalsPanel(ctx, engage!);
    const coupons = couponsPanel(ctx, shop!, goals);
    panels.push(
      headerPanel(ctx),
      statsPanel(ctx, live!),
      products,
      sales,
      coupons,
      mechanicsPanel(ctx, shop!, products),
      chatPanel(ctx, engage!),
      qaPanel(ctx, engage!),
      pollsPanel(ctx, engage!),
      goals,
      lotteryPanel(ctx, lottery!, products, coupons),
      moderationPanel(ctx, mod!),
      reportPanel(ctx, report!),
    );
    // NOTE: goals are created before coupons (a coupon can wait for a goal) but shown after the chat panels.
    engage!.append(document.getElementById('goals-panel')!);
    for (const id of HOST_ONLY) document.getElementById(id)?.setAttribute('data-host-only', '');
    studioShortcuts(tabs);
    setInterval(() => each((p) => p.onTick?.()), 1000);
    onLangChange(() => each((p) => p.onLang?.()));
  };
  return { handlers, attach };
}
