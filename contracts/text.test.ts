import { describe, expect, it } from 'vitest';
import { codePoints, normalizeText, plainText } from './text';

describe('the text normalizer', () => {
  it.each([
    ['strips bidi overrides, isolates and marks', 'evil\u202Etxt\u2066.\u2069exe\u200F', 'eviltxt.exe'],
    ['strips C0 and C1 controls', 'a\u0000b\u0007c\u009Fd\u007F', 'abcd'],
    ['folds line breaks and tabs to one space', ' line1\r\n\tline2\u2028x ', 'line1 line2 x'],
    ['collapses zero-width runs to their first character', 'a\u200B\u200B\u200C\u2060b', 'a\u200Bb'],
    ['keeps the joiners of emoji ZWJ sequences', '👩‍👩‍👧‍👦 🏳️‍🌈', '👩‍👩‍👧‍👦 🏳️‍🌈'],
    ['drops zero-width characters at the edges', '\u200B\uFEFFhi\u200D', 'hi'],
    ['composes to NFC', 'Cafe\u0301', 'Café'],
    ['keeps markup and CJK as text', '<b>今晚</b>', '<b>今晚</b>'],
  ])('%s', (_, raw, want) => {
    expect(normalizeText(raw)).toBe(want);
  });

  it('keeps line breaks in multiline fields, at most one blank line in a row', () => {
    expect(normalizeText('a\r\nb\rc\n\n\n\n d\u0000\te', { multiline: true })).toBe('a\nb\nc\n\n d e');
  });

  it('refuses lone surrogates, invisible-only and too long text; counts code points', () => {
    const schema = plainText(5);
    for (const bad of ['x\uD800y', '\uDFFF', '\u200B\u200D', '\u3164', '   ', '123456', 'x'.repeat(10_000)]) {
      expect(schema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(schema.parse(' 👍👍👍👍👍 ')).toBe('👍👍👍👍👍');
    expect(codePoints('👍直播')).toBe(3);
    expect(plainText(32, { min: 3 }).safeParse('12').success).toBe(false);
  });
});
