/** The room panel shared by viewer and host pages: status, presence and the event list. */
import type { Presence, RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { $, el } from './dom';
import { defineStrings, t } from './i18n';
import type { Conn, RoomHandlers } from './live-client';

defineStrings({
  en: { 'room.badge.host': 'Host', 'room.badge.moderator': 'Mod' },
  'zh-CN': { 'room.badge.host': '主播', 'room.badge.moderator': '房管' },
});

/** A role badge for staff comments (host, moderator); nothing for viewers. */
function badge(role: unknown): (Node | string)[] {
  if (role !== 'host' && role !== 'moderator') return [];
  return [el('span', { class: `badge badge-${role}`, 'data-role': role }, t(`room.badge.${role}`)), ' '];
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
  },
  'zh-CN': {
    'room.ev.status': '直播状态：{status}',
    'room.ev.goal': '🎯 点赞目标达成：{threshold}',
    'room.ev.poll': '📊 投票：{question}',
    'room.ev.pollClosed': '📊 投票结束：{question}（{total} 票）',
  },
});

function describe(e: RoomEvent): string {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case 'live:status':
      return t('room.ev.status', { status: String(d.status) });
    case 'live:announcement':
      return `📣 ${String((d.by as { name?: string })?.name ?? 'host')}: ${String(d.text)}`;
    case 'comment:new':
      return `💬 ${String((d.by as { name?: string })?.name ?? '?')}: ${String(d.text)}`;
    case 'announcement:pinned':
      return `📌 ${String(d.text)}`;
    case 'goal:reached':
      return t('room.ev.goal', { threshold: String((d.goal as { threshold?: number })?.threshold) });
    case 'poll:opened':
      return t('room.ev.poll', { question: String(d.question) });
    case 'poll:closed':
      return t('room.ev.pollClosed', { question: String(d.question), total: String(d.total) });
    case 'qa:asked':
      return `❓ ${String((d.by as { name?: string })?.name ?? '?')}: ${String(d.text)}`;
    default:
      return e.type;
  }
}

/** Room events the minimal pages don't list (coalesced counters). */
const HIDDEN = new Set(['qa:votes']);

/** Shows a comment from a `comment:send` ack at once (the room event with the same id is then skipped). */
export function showOwnComment(c: {
  id: string;
  text: string;
  by: { name: string; role?: string };
  at: number;
}): void {
  const list = $('#events');
  if (list.querySelector(`[data-comment-id="${CSS.escape(c.id)}"]`)) return;
  list.append(
    el(
      'li',
      { 'data-comment-id': c.id },
      ...badge(c.by.role),
      `💬 ${c.by.name}: ${c.text}`,
      ' ',
      el('span', { class: 'muted' }, new Date(c.at).toLocaleTimeString()),
    ),
  );
  list.scrollTop = list.scrollHeight;
}

export function roomView(): RoomHandlers {
  const list = $('#events');
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
    if (e.type === 'live:status') $('#status').textContent = String((e.data as { status: string }).status);
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
        ...(e.type === 'comment:new' ? badge((d as { by?: { role?: string } }).by?.role) : []),
        describe(e),
        ' ',
        el('span', { class: 'muted' }, new Date(e.at).toLocaleTimeString()),
      ),
    );
    list.scrollTop = list.scrollHeight;
  };
  return {
    onSnapshot(s: RoomSnapshot) {
      $('#title').textContent = s.live.title;
      $('#status').textContent = s.live.status;
      list.replaceChildren();
      s.recent.forEach(add);
      presence(s.presence);
      likes((s.features.likes as { total?: number } | undefined)?.total ?? 0);
    },
    onLikes: (total) => likes(total),
    onEvents: (events) => events.forEach(add),
    onPresence: presence,
    onConn(c, detail) {
      const b = $('#conn');
      b.hidden = false;
      b.dataset.state = c;
      b.textContent = detail && c !== 'online' ? `${t(CONN_TEXT[c])} (${detail})` : t(CONN_TEXT[c]);
    },
  };
}
