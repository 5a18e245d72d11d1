/**
 * What every viewer panel shares: the room context (client, live, user, server clock), the panel interface the
 * page fans room traffic out to, and small formatting helpers (server-clock countdowns, money, error text).
 */
import type { AuthResponse } from '@lc/contracts/auth.schema';
import type { RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { lang, t } from '../i18n';
import type { Conn, LiveClient, RoomFact } from '../live-client';
import type { Sheets } from './sheets';

/**
 * The server clock as this page sees it. Each server timestamp that reaches us (the snapshot's `serverTime`,
 * every room event's `at`) gives `serverTime - receivedAt` = true offset − transit delay, a lower bound; the
 * largest sample of the last minute is the estimate (the least delayed message), so it tightens as events arrive
 * and still follows a local clock that was adjusted.
 */
export class ServerClock {
  offset = 0;
  #samples: Array<{ value: number; at: number }> = [];

  /** A fresh start (a snapshot): forget earlier samples. */
  sync(serverTime: number, receivedAt = Date.now()): void {
    this.#samples = [];
    this.observe(serverTime, receivedAt);
  }

  observe(serverTime: number, receivedAt = Date.now()): void {
    this.#samples = this.#samples.filter((s) => receivedAt - s.at < SAMPLE_WINDOW_MS);
    this.#samples.push({ value: serverTime - receivedAt, at: receivedAt });
    this.offset = Math.max(...this.#samples.map((s) => s.value));
  }

  now(): number {
    return Date.now() + this.offset;
  }
}
const SAMPLE_WINDOW_MS = 60_000;

export interface ViewerCtx {
  client: LiveClient;
  liveId: string;
  auth: AuthResponse;
  clock: ServerClock;
  sheets: Sheets;
}

/** A panel reacts to the room's traffic; every method is optional. */
export interface Panel {
  snapshot?(s: RoomSnapshot): void;
  event?(e: RoomEvent): void;
  fact?(f: RoomFact): void;
  conn?(c: Conn): void;
  /** The room's like total. */
  likes?(total: number): void;
  /** A few times a second: countdowns (server clock). */
  tick?(now: number): void;
  /** The language changed: re-render dynamic text. */
  relabel?(): void;
}

/** `m:ss` (or `h:mm:ss`) until `deadline`, never negative. */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Minor units (cents, fen) in the current language's currency format. */
export function money(minor: number, currency: string): string {
  const f = new Intl.NumberFormat(lang(), { style: 'currency', currency });
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(minor / 10 ** digits);
}

/** A user-facing message for an error from the server (stable code → translated sentence). */
export function errorText(err: unknown): string {
  const code = (err as { code?: string }).code ?? 'INTERNAL';
  const key = `err.${code}`;
  const s = t(key);
  return s === key ? t('err.generic', { code }) : s;
}

/** Features of the snapshot, typed by the caller (each feature's schema lives in contracts/). */
export const feature = <T>(s: RoomSnapshot, name: string): T | undefined => s.features[name] as T | undefined;
