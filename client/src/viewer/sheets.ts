/**
 * Sheets: the shop, lottery, Q&A and settings panels that slide up over the video (a drawer on desktop). Any
 * button with `aria-controls` naming a sheet opens it; the sheet's close button, the scrim and Escape close it.
 * One sheet at a time; the focus moves to its heading and back to the opener.
 */
import { $ } from '../dom';

export interface Sheets {
  open(id: string, opener?: HTMLElement | null): void;
  close(): void;
  /** The open sheet's id, or null. */
  current(): string | null;
}

export function sheets(): Sheets {
  const scrim = $('#scrim');
  let open: HTMLElement | null = null;
  let returnTo: HTMLElement | null = null;

  const openers = (id: string) =>
    document.querySelectorAll<HTMLElement>(`[aria-controls="${CSS.escape(id)}"]:not(.sheet)`);

  const close = () => {
    if (!open) return;
    open.hidden = true;
    scrim.hidden = true;
    for (const b of openers(open.id)) b.setAttribute('aria-expanded', 'false');
    open = null;
    const back = returnTo;
    returnTo = null;
    if (back?.isConnected && !back.hidden) back.focus();
  };

  const show = (id: string, opener?: HTMLElement | null) => {
    if (open?.id === id) return;
    const keep = open ? returnTo : null;
    close();
    const sheet = $(`#${CSS.escape(id)}`);
    sheet.hidden = false;
    scrim.hidden = false;
    for (const b of openers(id)) b.setAttribute('aria-expanded', 'true');
    open = sheet;
    returnTo = keep ?? opener ?? (document.activeElement as HTMLElement | null);
    sheet.querySelector<HTMLElement>('h2[tabindex]')?.focus();
  };

  document.addEventListener('click', (ev) => {
    const target = ev.target as HTMLElement;
    const opener = target.closest<HTMLElement>('[aria-controls]');
    const id = opener?.getAttribute('aria-controls');
    if (opener && id && document.getElementById(id)?.classList.contains('sheet')) {
      if (open?.id === id) close();
      else show(id, opener);
      return;
    }
    if (target.closest('[data-close]') || target === scrim) close();
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && open) {
      ev.preventDefault();
      close();
    }
  });
  return { open: show, close, current: () => open?.id ?? null };
}
