import { describe, expect, it } from 'vitest';
import { SeqTracker } from './seq-tracker';

const ev = (seq: number) => ({ seq, type: 't', at: 0, data: null });

describe('SeqTracker', () => {
  it('applies consecutive events once and drops duplicates', () => {
    const t = new SeqTracker(2);
    expect(t.accept([ev(1), ev(2), ev(3), ev(4)]).fresh.map((e) => e.seq)).toEqual([3, 4]);
    expect(t.accept([ev(4), ev(5)]).fresh.map((e) => e.seq)).toEqual([5]);
    expect(t.seq).toBe(5);
  });

  it('holds events ahead of a gap and releases them in order once the gap fills', () => {
    const t = new SeqTracker(0);
    const first = t.accept([ev(3), ev(4)]);
    expect(first).toEqual({ fresh: [], gap: true });
    const filled = t.accept([ev(1), ev(2)]);
    expect(filled.fresh.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(filled.gap).toBe(false);
    expect(t.waiting).toBe(0);
  });

  it('reset keeps only held events newer than the snapshot', () => {
    const t = new SeqTracker(0);
    t.accept([ev(5), ev(9), ev(11)]);
    t.reset(8);
    expect(t.accept([]).fresh.map((e) => e.seq)).toEqual([9]);
    expect(t.waiting).toBe(1);
    expect(t.accept([ev(10)]).fresh.map((e) => e.seq)).toEqual([10, 11]);
  });
});
