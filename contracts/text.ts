/**
 * The one normalizer of user-supplied text (comments, names, titles, questions, polls, announcements, keyword
 * lists, shipping addresses…). Every such field goes through `plainText`:
 * - lone surrogates are refused (VALIDATION): they are not valid UTF-16 and break JSON consumers and UTF-8 stores;
 * - C0/C1 controls are removed; line breaks fold to one space, or stay as `\n` in fields that allow them;
 * - bidi overrides, embeddings, isolates and marks are removed (they reorder what others read);
 * - a run of zero-width characters collapses to its first one (an emoji ZWJ sequence keeps its single joiners);
 * - NFC, trimmed, and limited in Unicode code points (a CJK character or an emoji counts 1);
 * - text that is only invisible characters counts as empty.
 * Stored and sent as plain text: clients render it with textContent, never as markup.
 */
import { z } from 'zod';

// NOTE: with the u flag a paired surrogate is one code point, so this matches lone halves only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
const MULTILINE_BREAKS = /\r\n?|[\u0085\u2028\u2029]/g;
const BLANK_LINES = /\n[^\S\n]*\n(?:[^\S\n]*\n)+/g;
const INLINE_SPACE = /[\t\v\f]/g;
// \p{Cc}: C0 and C1 controls (and DEL). The explicit ranges: bidi marks, embeddings, overrides and isolates,
// and interlinear annotation controls (they hide text).
const STRIPPED = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFFF9-\uFFFB]/gu;
const STRIPPED_KEEP_NL = /(?!\n)[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFFF9-\uFFFB]/gu;
const ZERO_WIDTH = '\u180E\u200B-\u200D\u2060-\u2064\uFEFF';
const ZERO_WIDTH_RUN = new RegExp(`([${ZERO_WIDTH}])[${ZERO_WIDTH}]+`, 'gu');
const EDGE_ZERO_WIDTH = new RegExp(`^[\\s${ZERO_WIDTH}]+|[\\s${ZERO_WIDTH}]+$`, 'gu');
/** What shows nothing: white space, format characters (zero-width, joiners) and the blank fillers. */
const INVISIBLE = /[\s\p{Cf}\u115F\u1160\u2800\u3164\uFFA0]/gu;

export interface TextRules {
  /** Keep line breaks (as `\n`, at most one blank line in a row); otherwise they fold to a space. */
  multiline?: boolean;
}

/** Number of Unicode code points (what users and limits count). */
export const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

export const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s);

/** True when the text shows nothing (only white space and invisible characters). */
export const isInvisible = (s: string): boolean => s.replace(INVISIBLE, '') === '';

/** The normalized form of `raw` (call it on well-formed text: lone surrogates are the schema's to refuse). */
export function normalizeText(raw: string, rules: TextRules = {}): string {
  const lines = rules.multiline
    ? raw.replace(MULTILINE_BREAKS, '\n').replace(INLINE_SPACE, ' ').replace(STRIPPED_KEEP_NL, '')
    : raw.replace(BREAKS, ' ').replace(STRIPPED, '');
  const text = lines.replace(ZERO_WIDTH_RUN, '$1').normalize('NFC').replace(EDGE_ZERO_WIDTH, '');
  return rules.multiline ? text.replace(BLANK_LINES, '\n\n') : text;
}

/**
 * A zod schema for user text of `min`..`max` code points after normalization.
 * NOTE: the raw string is capped first (4 UTF-16 units per allowed code point) so a huge payload is refused
 * before any work is done on it.
 */
export function plainText(max: number, opts: TextRules & { min?: number } = {}) {
  const min = opts.min ?? 1;
  return z
    .string()
    .max(max * 4 + 64)
    .refine((s) => !hasLoneSurrogate(s), 'not valid Unicode (a lone surrogate)')
    .transform((s) => normalizeText(s, opts))
    .refine((s) => {
      const n = isInvisible(s) ? 0 : codePoints(s);
      return n >= min && n <= max;
    }, `between ${min} and ${max} characters`);
}
