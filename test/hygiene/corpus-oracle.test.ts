/**
 * The corpus check can fail: a field that skips the normalizer (stores the raw text, as display names, live
 * titles and announcements did with `z.string().trim()`) is caught by `checkStored` on the hostile entries.
 */
import { DisplayName } from '@lc/contracts/auth.schema';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CORPUS, checkStored, expectedOutcome, type FieldRules } from '../hostile-corpus';

const FIELDS: Record<string, FieldRules> = {
  'guest name': { max: 32, role: 'viewer' },
  'live title': { max: 120 },
  'keyword term': { max: 50 },
  announcement: { max: 500 },
  'shipping address': { max: 300, multiline: true },
};

describe('the hostile-corpus check', () => {
  it.each(Object.entries(FIELDS))('fails a %s stored without the normalizer', (_, rules) => {
    let caught = 0;
    for (const { name, text } of CORPUS) {
      const raw = text.trim();
      const outcome = expectedOutcome(text, rules);
      if ('stored' in outcome && outcome.stored === raw) continue;
      expect(() => checkStored(text, raw, rules), name).toThrow();
      caught++;
    }
    // bidi, isolates, zero-width, NUL, line breaks (single-line), surrogates, 10k, NFD, filler at least
    expect(caught).toBeGreaterThanOrEqual(9);
  });

  it('passes what the normalizer stores', () => {
    for (const { text } of CORPUS) {
      const outcome = expectedOutcome(text, FIELDS['live title']!);
      if ('stored' in outcome) checkStored(text, outcome.stored, FIELDS['live title']!);
    }
  });

  it('catches the display names the old raw schema let through, which the shared one refuses or cleans', () => {
    const raw = z
      .string()
      .trim()
      .refine((s) => [...s].length >= 1 && [...s].length <= 32);
    for (const name of ['evil\u202Etxt.exe', 'a\u0000b', 'line1\nline2', '\uDFFF']) {
      const before = raw.safeParse(name);
      expect(before.success, JSON.stringify(name)).toBe(true);
      expect(() => checkStored(name, before.data!, FIELDS['guest name']!)).toThrow();
      const now = DisplayName.safeParse(name);
      if (now.success) checkStored(name, now.data, FIELDS['guest name']!);
      else expect(name).toBe('\uDFFF');
    }
  });
});
