/**
 * The studio's tabs (WAI-ARIA tabs: Left/Right/Home/End move between them). Panels stay in the page when their
 * tab is not shown — only `hidden` — so every panel keeps receiving the room's events and nothing is lost.
 * The chosen tab is kept for the browser session.
 */
import { el } from '../dom';
import { t } from '../i18n';

export interface TabDef {
  id: string;
  key: string;
  hostOnly?: boolean;
}

const STORE = 'lc.studio.tab';

export function studioTabs(list: HTMLElement, mount: HTMLElement, defs: TabDef[]) {
  const tabs = new Map<string, { tab: HTMLButtonElement; panel: HTMLElement }>();
  for (const d of defs) {
    const tab = el('button', {
      type: 'button',
      role: 'tab',
      id: `tab-${d.id}`,
      'aria-controls': `tabpanel-${d.id}`,
      'aria-selected': 'false',
      'data-i18n': d.key,
    });
    tab.textContent = t(d.key);
    const panel = el('div', {
      role: 'tabpanel',
      id: `tabpanel-${d.id}`,
      'aria-labelledby': tab.id,
      class: 'tabpanel',
    });
    panel.hidden = true;
    if (d.hostOnly) {
      tab.setAttribute('data-host-only', '');
      panel.setAttribute('data-host-only', '');
    }
    tab.addEventListener('click', () => select(d.id));
    list.append(tab);
    mount.append(panel);
    tabs.set(d.id, { tab, panel });
  }

  /** Tabs this user can see (a moderator's studio hides the host-only ones). */
  const visible = () => [...tabs.entries()].filter(([, x]) => x.tab.offsetParent !== null).map(([id]) => id);

  function select(id: string, focus = false) {
    const chosen = tabs.get(id);
    if (!chosen) return;
    for (const [other, x] of tabs) {
      const on = other === id;
      x.tab.setAttribute('aria-selected', String(on));
      x.panel.hidden = !on;
    }
    sessionStorage.setItem(STORE, id);
    if (focus) chosen.tab.focus();
    // Charts size themselves to a shown panel.
    window.dispatchEvent(new Event('resize'));
  }

  list.addEventListener('keydown', (ev) => {
    const ids = visible();
    const at = ids.indexOf((document.activeElement?.id ?? '').replace(/^tab-/, ''));
    if (at < 0) return;
    const next =
      ev.key === 'ArrowRight'
        ? ids[(at + 1) % ids.length]
        : ev.key === 'ArrowLeft'
          ? ids[(at - 1 + ids.length) % ids.length]
          : ev.key === 'Home'
            ? ids[0]
            : ev.key === 'End'
              ? ids.at(-1)
              : undefined;
    if (!next) return;
    ev.preventDefault();
    select(next, true);
  });

  return {
    panel: (id: string) => tabs.get(id)!.panel,
    select,
    visible,
    /** The remembered tab if this user can see it, else the first visible one. */
    restore() {
      const ids = visible();
      const saved = sessionStorage.getItem(STORE);
      select(saved && ids.includes(saved) ? saved : (ids[0] ?? defs[0]!.id));
    },
  };
}
