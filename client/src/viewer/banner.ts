/**
 * Connection notices: the reconnect banner while the socket is away (hidden once the room has resynced,
 * `online`), and a final notice when the server closed the room for this viewer (`room:closed`: banned, ended).
 */
import { $ } from '../dom';
import { t } from '../i18n';
import type { Panel } from './panel';

export function reconnectBanner(): Panel {
  const banner = $('#reconnect');
  const closed = $('#closed');
  let code = '';
  const render = () => {
    closed.hidden = !code;
    if (!code) return;
    const key = `closed.${code}`;
    closed.textContent = t(key) === key ? t('closed.other', { code }) : t(key);
  };
  return {
    conn(c) {
      banner.hidden = c !== 'reconnecting' || !!code;
      document.body.dataset.conn = c;
    },
    fact(f) {
      if (f.name !== 'room:closed') return;
      code = f.payload.code;
      banner.hidden = true;
      render();
    },
    relabel: render,
  };
}
