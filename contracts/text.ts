/**
 * Plain-text rules for user content (comments, questions, polls): normalized to NFC, line breaks and tabs
 * folded to spaces, control and bidi-override characters removed, trimmed, and counted in Unicode code points
 * (so a CJK character or an emoji counts as one, not as its UTF-16 length). Stored and sent as plain text:
 * clients render it with textContent, never as markup.
 */
import { z } from 'zod';

// NOTE: \p{Cc} covers C0/C1 controls; the explicit ranges are bidi overrides/isolates that can reorder text.
const STRIPPED = /[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;
const BREAKS = /[\t\n\v\f\r\u2028\u2029]+/g;

/** Number of Unicode code points (what users and limits count). */
export const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

export function normalizeText(raw: string): string {
  return raw.normalize('NFC').replace(BREAKS, ' ').replace(STRIPPED, '').trim();
}

/**
 * A zod schema for user text of `min`..`max` code points after normalization.
 * NOTE: the raw string is capped first (4 UTF-16 units per allowed code point) so a huge payload is refused
 * before any work is done on it.
 */
export function plainText(max: number, min = 1) {
  return z
    .string()
    .max(max * 4 + 64)
    .transform(normalizeText)
    .refine((s) => {
      const n = codePoints(s);
      return n >= min && n <= max;
    }, `between ${min} and ${max} characters`);
}
