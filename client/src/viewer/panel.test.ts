import { describe, expect, it } from 'vitest';
import { countdown, ServerClock } from './panel';

describe('the viewer server clock', () => {
  it('keeps the least delayed sample as the offset, forgets samples after a minute and restarts on a snapshot', () => {
    const c = new ServerClock();
    c.sync(10_000, 5_000); // 5 s ahead, seen 0 ms late or more
    expect(c.offset).toBe(5_000);
    c.observe(10_900, 6_000); // 100 ms in transit: a lower sample, ignored
    expect(c.offset).toBe(5_000);
    c.observe(11_030, 6_010); // a fresher, less delayed one raises the estimate
    expect(c.offset).toBe(5_020);
    c.observe(71_000, 67_000); // a minute later the old samples are gone
    expect(c.offset).toBe(4_000);
    c.sync(100_000, 99_000);
    expect(c.offset).toBe(1_000);
  });

  it('formats countdowns as m:ss or h:mm:ss and never below zero', () => {
    expect(countdown(5_000)).toBe('0:05');
    expect(countdown(4_001)).toBe('0:05');
    expect(countdown(61_000)).toBe('1:01');
    expect(countdown(3_600_000 + 62_000)).toBe('1:01:02');
    expect(countdown(-3_000)).toBe('0:00');
  });
});
