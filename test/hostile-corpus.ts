/**
 * The hostile-text corpus and its oracle, shared by the corpus tests (HTTP, Socket.IO, Chromium).
 * `expectedOutcome` says what the one normalizer (contracts/text.ts) makes of an input for a field: refused with a
 * stable code, or stored as exactly this string. `checkStored` then also checks the stored text against rules
 * written out here independently of the normalizer, so a field whose normalizer was skipped fails either way.
 */
import { imitatedRole } from '@lc/contracts/display-name';
import { codePoints, hasLoneSurrogate, isInvisible, normalizeText } from '@lc/contracts/text';
import { expect } from 'vitest';

export interface Hostile {
  name: string;
  text: string;
}

export const CORPUS: Hostile[] = [
  { name: 'bidi override', text: 'evil\u202Etxt.exe' },
  { name: 'bidi isolates and marks', text: 'a\u2066b\u2069c\u200Fd\u061Ce' },
  { name: 'zero-width run', text: 'a\u200B\u200B\u200C\u2060b' },
  { name: 'only zero-width', text: '\u200B\u200D\uFEFF' },
  { name: 'NUL and controls', text: 'a\u0000b\u0007c\u001Bd\u009Fe' },
  { name: 'line breaks', text: 'line1\r\nline2\n\n\n\nline3' },
  { name: 'lone high surrogate', text: 'x\uD800y' },
  { name: 'lone low surrogate', text: '\uDFFF' },
  { name: 'img onerror', text: '<img src=x onerror="window.__pwned=1">' },
  { name: 'script', text: '<script>window.__pwned=2</script>' },
  { name: 'svg onload', text: '<svg onload="window.__pwned=3">' },
  { name: 'javascript url', text: 'javascript:window.__pwned=4' },
  { name: 'SQL-ish', text: "x'); DROP TABLE users;--" },
  { name: '10k characters', text: 'x'.repeat(10_000) },
  { name: 'emoji ZWJ sequences', text: '👩‍👩‍👧‍👦 family 🏳️‍🌈' },
  { name: 'Chinese', text: '今晚8点秒杀 龙井茶' },
  { name: 'decomposed accent', text: 'Cafe\u0301 au lait ' },
  { name: 'role imitation', text: 'Ｈｏｓｔ' },
  { name: 'Hangul filler', text: '\u3164' },
];

export interface FieldRules {
  max: number;
  min?: number;
  multiline?: boolean;
  /** Display names: the role the account holds (names imitating another role are refused). */
  role?: 'host' | 'viewer';
}

export type Outcome = { refused: 'VALIDATION' | 'NAME_RESERVED' } | { stored: string };

export function expectedOutcome(input: string, f: FieldRules): Outcome {
  if (hasLoneSurrogate(input)) return { refused: 'VALIDATION' };
  const text = normalizeText(input, f);
  const length = isInvisible(text) ? 0 : codePoints(text);
  if (length < (f.min ?? 1) || length > f.max) return { refused: 'VALIDATION' };
  const imitated = f.role ? imitatedRole(text) : null;
  if (imitated && imitated !== f.role) return { refused: 'NAME_RESERVED' };
  return { stored: text };
}

// Written out apart from contracts/text.ts on purpose: the rules, not the implementation.
/** C0 (but \n, checked on its own) and C1 controls, DEL. */
const hasControl = (s: string) =>
  Array.from(s).some((c) => {
    const n = c.codePointAt(0)!;
    return (n < 0x20 && n !== 0x0a) || (n >= 0x7f && n <= 0x9f);
  });
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const ZERO_WIDTH_RUN = /[\u200B-\u200D\u2060\uFEFF]{2,}/u;
const LONE = /[\uD800-\uDFFF]/u;

/** Fails (vitest expect) unless `stored` is the normalized form of `input` and breaks none of the rules. */
export function checkStored(input: string, stored: string, f: FieldRules, what = ''): void {
  const label = `${what} ${JSON.stringify(input).slice(0, 60)} → ${JSON.stringify(stored).slice(0, 60)}`;
  expect(hasControl(stored), `${label}: controls`).toBe(false);
  if (!f.multiline) expect(stored.includes('\n'), `${label}: line break`).toBe(false);
  expect(BIDI.test(stored), `${label}: bidi`).toBe(false);
  expect(ZERO_WIDTH_RUN.test(stored), `${label}: zero-width run`).toBe(false);
  expect(LONE.test(stored), `${label}: lone surrogate`).toBe(false);
  expect(stored, `${label}: NFC`).toBe(stored.normalize('NFC'));
  expect(stored, `${label}: trimmed`).toBe(stored.trim());
  expect(codePoints(stored), `${label}: length`).toBeLessThanOrEqual(f.max);
  const outcome = expectedOutcome(input, f);
  expect(outcome, `${label}: should have been refused`).toHaveProperty('stored');
  expect(stored, label).toBe((outcome as { stored: string }).stored);
}

/** What a submission through the server gave: the text as read back, or the refusal's code. */
export type Submitted = { ok: true; stored: string } | { ok: false; code: string };

/** Runs the whole corpus through one field and checks every outcome. */
export async function runCorpus(
  what: string,
  f: FieldRules,
  submit: (input: string, i: number) => Promise<Submitted>,
): Promise<{ stored: string[] }> {
  const stored: string[] = [];
  for (const [i, { name, text }] of CORPUS.entries()) {
    const want = expectedOutcome(text, f);
    const got = await submit(text, i);
    if ('refused' in want) {
      expect(got, `${what} / ${name}`).toEqual({ ok: false, code: want.refused });
    } else {
      expect(got.ok, `${what} / ${name}: ${JSON.stringify(got).slice(0, 200)}`).toBe(true);
      if (got.ok) {
        checkStored(text, got.stored, f, `${what} / ${name}`);
        stored.push(got.stored);
      }
    }
  }
  return { stored };
}
