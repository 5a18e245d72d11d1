/** The reconnect banner: shown while the socket is away, hidden once the room has resynced (`online`). */
import { $ } from '../dom';
import type { Panel } from './panel';

export function reconnectBanner(): Panel {
  const banner = $('#reconnect');
  return {
    conn(c) {
      banner.hidden = c !== 'reconnecting';
      document.body.dataset.conn = c;
    },
  };
}
