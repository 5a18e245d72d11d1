/** The room panel shared by viewer and host pages: status, presence and the event list. */
import type { Presence, RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { $, el } from './dom';
import { defineStrings, onLangChange, t } from './i18n';
import type { Conn, RoomHandlers } from './live-client';

defineStrings({
  en: {
    'room.badge.host': 'Host',
    'room.badge.moderator': 'Mod',
    'room.level.active': 'Active fan',
    'room.level.loyal': 'Loyal fan',
    'room.level.high_value': 'Top fan',
  },
  'zh-CN': {
    'room.badge.host': '主播',
    'room.badge.moderator': '房管',
    'room.level.active': '活跃',
    'room.level.loyal': '忠诚',
    'room.level.high_value': '高价值',
  },
});

const FAN_LEVELS = new Set(['active', 'loyal', 'high_value']);

/** A role badge for staff comments (host, moderator), a fan-level badge for viewers above `normal`. */
function badge(by: { role?: unknown; level?: unknown } | undefined): (Node | string)[] {
  const role = by?.role;
  if (role === 'host' || role === 'moderator')
    return [el('span', { class: `badge badge-${role}`, 'data-role': role }, t(`room.badge.${role}`)), ' '];
  const level = by?.level;
  if (typeof level === 'string' && FAN_LEVELS.has(level))
    return [el('span', { class: 'badge badge-fan', 'data-level': level }, t(`room.level.${level}`)), ' '];
  return [];
}

const CONN_TEXT: Record<Conn, string> = {
  connecting: 'room.conn.connecting',
  online: 'room.conn.online',
  reconnecting: 'room.conn.reconnecting',
  offline: 'room.conn.offline',
};
defineStrings({
  en: {
    'room.conn.connecting': 'Connecting…',
    'room.conn.online': 'Live connection',
    'room.conn.reconnecting': 'Reconnecting… (events will catch up)',
    'room.conn.offline': 'Offline',
  },
  'zh-CN': {
    'room.conn.connecting': '连接中…',
    'room.conn.online': '已连接',
    'room.conn.reconnecting': '重连中…（消息会自动补齐）',
    'room.conn.offline': '已离线',
  },
});

defineStrings({
  en: {
    'room.ev.status': 'The live is now {status}',
    'room.ev.goal': '🎯 Like goal reached: {threshold}',
    'room.ev.poll': '📊 Poll: {question}',
    'room.ev.pollClosed': '📊 Poll closed: {question} ({total} votes)',
    'room.status.scheduled': 'scheduled',
    'room.status.live': 'live',
    'room.status.ended': 'ended',
  },
  'zh-CN': {
    'room.ev.status': '直播状态：{status}',
    'room.ev.goal': '🎯 点赞目标达成：{threshold}',
    'room.ev.poll': '📊 投票：{question}',
    'room.ev.pollClosed': '📊 投票结束：{question}（{total} 票）',
    'room.status.scheduled': '未开播',
    'room.status.live': '直播中',
    'room.status.ended': '已结束',
  },
});

const nameOf = (d: Record<string, unknown>, fallback: string) =>
  String((d.by as { name?: string } | undefined)?.name ?? fallback);

/** One line of the feed: who said it (comments, questions, announcements) and what, as text nodes only. */
function describe(e: RoomEvent): { who?: string; text: string } {
  const d = (e.data ?? {}) as Record<string, unknown>;
  switch (e.type) {
    case 'live:status':
      return { text: t('room.ev.status', { status: t(`room.status.${String(d.status)}`) }) };
    case 'live:announcement':
      return { who: `📣 ${nameOf(d, 'host')}`, text: String(d.text) };
    case 'comment:new':
      return { who: nameOf(d, '?'), text: String(d.text) };
    case 'announcement:pinned':
      return { text: `📌 ${String(d.text)}` };
    case 'goal:reached':
      return {
        text: t('room.ev.goal', { threshold: String((d.goal as { threshold?: number })?.threshold) }),
      };
    case 'poll:opened':
      return { text: t('room.ev.poll', { question: String(d.question) }) };
    case 'poll:closed':
      return { text: t('room.ev.pollClosed', { question: String(d.question), total: String(d.total) }) };
    case 'qa:asked':
      return { who: `❓ ${nameOf(d, '?')}`, text: String(d.text) };
    default:
      return { text: e.type };
  }
}

/** The children of a feed line: badge, author, text and time. */
function line(
  by: { role?: unknown; level?: unknown } | undefined,
  said: { who?: string; text: string },
  at: number,
): (Node | string)[] {
  return [
    ...badge(by),
    ...(said.who ? [el('span', { class: 'who' }, said.who), ': '] : []),
    el('span', { class: 'text' }, said.text),
    ' ',
    el('time', { class: 'muted' }, new Date(at).toLocaleTimeString()),
  ];
}

/** Room events the minimal pages don't list (coalesced counters). */
const HIDDEN = new Set(['qa:votes']);

/**
 * Room events the chat list / studio feed shows; the rest (stock ticks, product upserts, coupons, lottery, votes, Q&A
 * updates …) have their own panels and would only flood the list.
 */
export const FEED_EVENTS: ReadonlySet<string> = new Set([
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

/** Shows a comment from a `comment:send` ack at once (the room event with the same id is then skipped). */
export function showOwnComment(c: {
  id: string;
  text: string;
  by: { name: string; role?: string; level?: string };
  at: number;
}): void {
  const list = $('#events');
  if (list.querySelector(`[data-comment-id="${CSS.escape(c.id)}"]`)) return;
  list.append(el('li', { 'data-comment-id': c.id }, ...line(c.by, { who: c.by.name, text: c.text }, c.at)));
  list.scrollTop = list.scrollHeight;
}

export function roomView(): RoomHandlers {
  const list = $('#events');
  // The feed scrolls: keyboard users reach it to scroll it (axe: scrollable-region-focusable).
  list.tabIndex = 0;
  // The live's status, in words of the current language (the raw value stays in data-status).
  const status = (value: string) => {
    const b = $('#status');
    b.dataset.status = value;
    b.textContent = t(`room.status.${value}`);
  };
  let last: { c: Conn; detail?: string } | null = null;
  const conn = (c: Conn, detail?: string) => {
    last = { c, detail };
    const b = $('#conn');
    b.hidden = false;
    b.dataset.state = c;
    b.textContent = detail && c !== 'online' ? `${t(CONN_TEXT[c])} (${detail})` : t(CONN_TEXT[c]);
  };
  onLangChange(() => {
    const value = $('#status').dataset.status;
    if (value) status(value);
    if (last) conn(last.c, last.detail);
  });
  const likes = (total: number) => {
    const n = document.querySelector('#likes');
    if (n) n.textContent = String(total);
  };
  const presence = (p: Presence) => {
    $('#online').textContent = String(p.online);
    $('#peak').textContent = String(p.peak);
    $('#unique').textContent = String(p.unique);
  };
  const add = (e: RoomEvent) => {
    if (e.type === 'live:status') status((e.data as { status: string }).status);
    const d = (e.data ?? {}) as { id?: string; deleted?: boolean };
    if (e.type === 'comment:deleted') {
      list.querySelector(`[data-comment-id="${CSS.escape(String(d.id))}"]`)?.remove();
      return;
    }
    // Comments: shown once (the sender already shows its own from the ack); tombstones not at all.
    if (
      e.type === 'comment:new' &&
      (d.deleted || list.querySelector(`[data-comment-id="${CSS.escape(String(d.id))}"]`))
    )
      return;
    if (HIDDEN.has(e.type)) return;
    list.append(
      el(
        'li',
        {
          'data-seq': String(e.seq),
          ...(e.type === 'comment:new' ? { 'data-comment-id': String(d.id) } : {}),
        },
        ...line(
          e.type === 'comment:new' ? (d as { by?: { role?: string; level?: string } }).by : undefined,
          describe(e),
          e.at,
        ),
      ),
    );
    list.scrollTop = list.scrollHeight;
  };
  return {
    onSnapshot(s: RoomSnapshot) {
      $('#title').textContent = s.live.title;
      status(s.live.status);
      list.replaceChildren();
      s.recent.forEach(add);
      presence(s.presence);
      likes((s.features.likes as { total?: number } | undefined)?.total ?? 0);
    },
    onLikes: (total) => likes(total),
    onEvents: (events) => events.forEach(add),
    onPresence: presence,
    onConn: conn,
  };
}
