/**
 * What every studio panel shares: the panel contract, the studio context (client, server clock, REST with the
 * host's token, names seen in the room) and small builders for translated, labelled controls.
 * Labels carry `data-i18n` so the language switch re-labels them; user content goes in as text only.
 */
import type { Presence, RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import { api, type LiveClient, type RoomFact } from '../live-client';

/** A studio panel: gets the room's state and facts; re-renders its dynamic parts when the language changes. */
export interface Panel {
  onSnapshot?(s: RoomSnapshot): void;
  onEvent?(e: RoomEvent): void;
  onPresence?(p: Presence): void;
  onLikes?(total: number): void;
  onFact?(f: RoomFact): void;
  /** Once a second (countdowns, per-minute rates). */
  onTick?(): void;
  onLang?(): void;
}

export interface StudioCtx {
  client: LiveClient;
  liveId: string;
  token: string;
  /** Server-clock now (offset learned from the snapshot's `serverTime`). */
  now(): number;
  /** REST with the host's token. */
  rest<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Display names of users seen in the room (comments, questions), by id. */
  names: Map<string, string>;
}

export function createCtx(client: LiveClient, liveId: string, token: string) {
  let offset = 0;
  const ctx: StudioCtx & { learnClock(serverTime: number): void } = {
    client,
    liveId,
    token,
    names: new Map(),
    now: () => Date.now() + offset,
    rest: <T>(method: string, path: string, body?: unknown) =>
      api<T>(method, `/api/lives/${liveId}${path}`, body, token),
    learnClock(serverTime) {
      offset = serverTime - Date.now();
    },
  };
  return ctx;
}

/** Text node that follows the language: `data-i18n` + current translation. */
export function tr<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  key: string,
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  return el(tag, { ...attrs, 'data-i18n': key }, t(key));
}

/** A panel section with a translated heading; `id` names it for tests and styling. */
export function section(id: string, titleKey: string, ...children: Node[]): HTMLElement {
  const h = tr('h2', titleKey, { id: `${id}-title` });
  return el('section', { id, class: 'panel', 'aria-labelledby': `${id}-title` }, h, ...children);
}

/** A translated <label for> above its control (spread into a form or row). */
export function field(labelKey: string, control: HTMLElement): [HTMLElement] {
  return [el('span', { class: 'field' }, tr('label', labelKey, { for: control.id }), control)];
}

export function input(id: string, attrs: Record<string, string> = {}): HTMLInputElement {
  return el('input', { id, name: id, ...attrs });
}

export function checkbox(id: string, labelKey: string, checked = false): HTMLLabelElement {
  const box = el('input', { id, name: id, type: 'checkbox' });
  box.checked = checked;
  return el('label', { class: 'check' }, box, ' ', tr('span', labelKey));
}

export function button(key: string, attrs: Record<string, string> = {}): HTMLButtonElement {
  return tr('button', key, { type: 'button', ...attrs });
}

/** Marks a control the host alone may use (hidden in a moderator's studio). */
export function hostOnly<T extends HTMLElement>(node: T): T {
  node.setAttribute('data-host-only', '');
  return node;
}

/** A <select> whose option texts are translation keys. */
export function select(id: string, options: [value: string, key: string][]): HTMLSelectElement {
  return el('select', { id, name: id }, ...options.map(([v, k]) => tr('option', k, { value: v })));
}

/** An error line (role=alert) and a runner that shows the server's code and message there. */
export function errorLine(id: string) {
  const line = el('p', { id, class: 'error', role: 'alert' });
  const run = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      line.textContent = '';
    } catch (err) {
      const e = err as { code?: string; message?: string };
      line.textContent = e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
    }
  };
  return { line, run };
}

/**
 * Re-renders `root` without losing keyboard focus: the focused control comes back by id, or as the same-position
 * button of the row (`li`) with the same first data attribute (lists rebuilt on every vote or stock tick).
 */
export function keepFocus(root: HTMLElement, render: () => void): void {
  const a = document.activeElement as HTMLElement | null;
  if (!a || !root.contains(a)) {
    render();
    return;
  }
  const row = a.closest('li');
  const key = row ? [...row.attributes].find((x) => x.name.startsWith('data-')) : undefined;
  const index = row ? [...row.querySelectorAll('button')].indexOf(a as HTMLButtonElement) : -1;
  const id = a.id;
  render();
  let next: HTMLElement | null = id ? document.getElementById(id) : null;
  if (!next && key) {
    const r = root.querySelector<HTMLElement>(`li[${key.name}="${CSS.escape(key.value)}"]`);
    const buttons = r ? [...r.querySelectorAll<HTMLElement>('button')] : [];
    next = buttons[Math.min(Math.max(index, 0), buttons.length - 1)] ?? null;
  }
  next?.focus();
}

/** Minor units → "49.00 CNY". */
export const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;
/** "12.5" (major units typed by the host) → 1250. */
export const minor = (major: string) => Math.round(Number(major) * 100);

/** 75_000 ms → "1:15" (never negative). */
export function clockText(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

export const num = (id: string) => Number((document.getElementById(id) as HTMLInputElement).value);
export const val = (id: string) => (document.getElementById(id) as HTMLInputElement).value;
export const checked = (id: string) => (document.getElementById(id) as HTMLInputElement).checked;
