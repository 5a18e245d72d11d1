/** The room panel shared by viewer and host pages: status, presence and the event list. */
import type { Presence, RoomEvent, RoomSnapshot } from '../../server/src/contracts/room.schema';
import { $, el } from './dom';
import type { Conn, RoomHandlers } from './live-client';

const CONN_TEXT: Record<Conn, string> = {
  connecting: 'Connecting…',
  online: 'Live connection',
  reconnecting: 'Reconnecting… (events will catch up)',
  offline: 'Offline',
};

function describe(e: RoomEvent): string {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case 'live:status':
      return `The live is now ${String(d.status)}`;
    case 'live:announcement':
      return `📣 ${String((d.by as { name?: string })?.name ?? 'host')}: ${String(d.text)}`;
    default:
      return e.type;
  }
}

export function roomView(): RoomHandlers {
  const list = $('#events');
  const presence = (p: Presence) => {
    $('#online').textContent = String(p.online);
    $('#peak').textContent = String(p.peak);
    $('#unique').textContent = String(p.unique);
  };
  const add = (e: RoomEvent) => {
    if (e.type === 'live:status') $('#status').textContent = String((e.data as { status: string }).status);
    list.append(
      el(
        'li',
        { 'data-seq': String(e.seq) },
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
    },
    onEvents: (events) => events.forEach(add),
    onPresence: presence,
    onConn(c, detail) {
      const b = $('#conn');
      b.hidden = false;
      b.dataset.state = c;
      b.textContent = detail && c !== 'online' ? `${CONN_TEXT[c]} (${detail})` : CONN_TEXT[c];
    },
  };
}
