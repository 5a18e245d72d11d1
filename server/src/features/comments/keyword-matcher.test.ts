import { describe, expect, it } from 'vitest';
import { buildKeywordMatcher } from './keyword-matcher';

describe('keyword matcher', () => {
  it('blocks Chinese terms inside text without spaces, and mixed zh/en/emoji text', () => {
    const m = buildKeywordMatcher([{ action: 'block', terms: ['加微信', 'scam'] }]);
    expect(m.check('朋友们加微信领红包').action).toBe('block');
    expect(m.check('🎉限时SCAM优惠🎉').action).toBe('block');
    expect(m.check('加个微信吧').action).toBe('allow');
    expect(m.check('good product 👍').action).toBe('allow');
  });

  it('masks every matched code point, overlapping matches included, without splitting emoji', () => {
    const m = buildKeywordMatcher([{ action: 'mask', terms: ['傻瓜', '瓜子', 'bad', '💩'] }]);
    expect(m.check('你是傻瓜子吗')).toEqual({ action: 'allow', text: '你是***吗', masked: true });
    expect(m.check('so BAD💩ok').text).toBe('so ****ok');
    expect(m.check('fine').masked).toBe(false);
  });

  it('folds width and case: full-width letters match ASCII terms', () => {
    const m = buildKeywordMatcher([{ action: 'mask', terms: ['spam'] }]);
    expect(m.check('ＳＰＡＭ!').text).toBe('****!');
    expect(m.check('SpAm').text).toBe('****');
  });

  it('matches substrings without word boundaries (by design)', () => {
    const m = buildKeywordMatcher([{ action: 'hold', terms: ['ass'] }]);
    expect(m.check('classic').action).toBe('hold');
  });

  it('ranks block over hold over mask', () => {
    const m = buildKeywordMatcher([
      { action: 'mask', terms: ['x'] },
      { action: 'hold', terms: ['链接'] },
      { action: 'block', terms: ['诈骗'] },
    ]);
    expect(m.check('x 链接').action).toBe('hold');
    expect(m.check('x 链接').text).toBe('* 链接');
    expect(m.check('链接 诈骗').action).toBe('block');
  });

  it('handles thousands of terms and finds terms that are suffixes of other terms', () => {
    const terms = Array.from({ length: 5000 }, (_, i) => `词${i}号`);
    terms.push('abcd', 'bc');
    const m = buildKeywordMatcher([{ action: 'mask', terms }]);
    expect(m.terms).toBe(5002);
    expect(m.check('看看词4999号和词5000号').text).toBe('看看******和词5000号');
    expect(m.check('abce').text).toBe('a**e');
  });

  it('ignores empty terms and allows everything with no terms', () => {
    const m = buildKeywordMatcher([{ action: 'block', terms: ['', '  '] }]);
    expect(m.terms).toBe(0);
    expect(m.check('anything').action).toBe('allow');
  });
});
