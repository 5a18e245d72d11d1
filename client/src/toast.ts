/**
 * Toasts: short outcome messages (order paid, sold out, limit reached, you won) in one polite live region.
 * Text only; an optional action button (e.g. "Open" for a prize). Old toasts give way to new ones.
 */
import { $, el } from './dom';

export type ToastKind = 'info' | 'success' | 'error';
const MAX = 3;
const SHOW_MS = { info: 5000, success: 7000, error: 7000 } as const;

export function toast(
  text: string,
  kind: ToastKind = 'info',
  action?: { label: string; run: () => void },
): HTMLElement {
  const region = $('#toasts');
  const item = el('div', { class: 'toast', 'data-kind': kind }, el('span', {}, text));
  if (action) {
    const b = el('button', { type: 'button' }, action.label);
    b.addEventListener('click', () => {
      item.remove();
      action.run();
    });
    item.append(b);
  }
  region.append(item);
  while (region.childElementCount > MAX) region.firstElementChild?.remove();
  // NOTE: a toast the pointer or keyboard is on stays until it leaves (time to read and to reach its button).
  let timer = 0;
  const arm = () => {
    timer = window.setTimeout(() => item.remove(), SHOW_MS[kind]);
  };
  const hold = () => clearTimeout(timer);
  item.addEventListener('pointerenter', hold);
  item.addEventListener('focusin', hold);
  item.addEventListener('pointerleave', arm);
  item.addEventListener('focusout', arm);
  arm();
  return item;
}
