/**
 * Studio keyboard shortcuts (Alt + a key, so typing in a field never triggers one): tabs by number, pin the next
 * product, prepare a flash sale of the pinned product, draw the open lottery. Each acts through the same button
 * or field a click would use, and says what it did in a toast.
 */
import { el } from '../dom';
import { onLangChange, t } from '../i18n';
import { toast } from '../toast';

interface Tabs {
  select(id: string, focus?: boolean): void;
  visible(): string[];
}

const KEYS: Array<[combo: string, key: string]> = [
  ['Alt+1 … Alt+6', 'keys.tabs'],
  ['Alt+P', 'keys.pin'],
  ['Alt+S', 'keys.sale'],
  ['Alt+D', 'keys.draw'],
];

/** Pins the product after the pinned one (the first if none is), by its own Pin button. */
function pinNext(): void {
  const rows = [...document.querySelectorAll<HTMLElement>('#products li[data-product-id]')];
  if (!rows.length) return void toast(t('keys.noProduct'), 'error');
  const at = rows.findIndex((r) => r.classList.contains('pinned'));
  const next = rows[(at + 1) % rows.length]!;
  if (next.classList.contains('pinned')) return void toast(t('keys.onlyOne'), 'info');
  next.querySelector<HTMLButtonElement>('button')?.click();
  toast(t('keys.pinned', { title: next.querySelector('b')?.textContent ?? '' }), 'success');
}

/** Opens the sale form on the pinned product with the focus on its deal price: Enter schedules it. */
function prepareSale(tabs: Tabs): void {
  const pinned = document.querySelector<HTMLElement>('#products li.pinned');
  const select = document.getElementById('sale-product') as HTMLSelectElement | null;
  if (!pinned || !select) return void toast(t('keys.noPinned'), 'error');
  tabs.select('shop');
  select.value = pinned.dataset.productId ?? '';
  document.getElementById('sale-price')?.focus();
}

function drawNow(tabs: Tabs): void {
  const draw = document.getElementById('lottery-draw') as HTMLButtonElement | null;
  if (!draw || draw.disabled) return void toast(t('keys.noLottery'), 'error');
  tabs.select('lottery');
  draw.click();
  draw.focus();
}

export function studioShortcuts(tabs: Tabs): void {
  const list = document.getElementById('shortcut-list')!;
  const open = document.getElementById('shortcuts-open') as HTMLButtonElement;
  const box = document.getElementById('shortcuts')!;
  const render = () =>
    list.replaceChildren(
      ...KEYS.map(([combo, key]) => el('div', {}, el('dt', {}, el('kbd', {}, combo)), el('dd', {}, t(key)))),
    );
  render();
  onLangChange(render);
  open.hidden = false;
  open.addEventListener('click', () => {
    box.hidden = !box.hidden;
    open.setAttribute('aria-expanded', String(!box.hidden));
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !box.hidden) {
      box.hidden = true;
      open.setAttribute('aria-expanded', 'false');
      open.focus();
      return;
    }
    if (!ev.altKey || ev.ctrlKey || ev.metaKey) return;
    // NOTE: `code`, not `key`: Alt+letter types a symbol on some layouts (macOS).
    const digit = /^Digit([1-9])$/.exec(ev.code)?.[1];
    const host = document.body.dataset.role === 'host';
    if (digit) {
      const id = tabs.visible()[Number(digit) - 1];
      if (id) tabs.select(id, true);
    } else if (host && ev.code === 'KeyP') pinNext();
    else if (host && ev.code === 'KeyS') prepareSale(tabs);
    else if (host && ev.code === 'KeyD') drawNow(tabs);
    else return;
    ev.preventDefault();
  });
}
