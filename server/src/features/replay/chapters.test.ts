import type { RoomEvent } from '@lc/contracts/room.schema';
import { describe, expect, it } from 'vitest';
import { buildChapters } from './chapters';

const P = '11111111-1111-4111-8111-111111111111';
const ev = (seq: number, type: string, at: number, data: unknown): RoomEvent => ({ seq, type, at, data });

describe('replay chapters from the room log', () => {
  it('names each moment and places it in the recording (a gap skipped, a scheduled sale at its opening)', () => {
    const spans = [
      { run: 1, startedAt: 1_000, endedAt: 11_000, seconds: 10 },
      { run: 2, startedAt: 15_000, endedAt: 40_000, seconds: 25 },
    ];
    const events = [
      ev(1, 'product:upserted', 500, { product: { id: P, title: 'Tea' } }),
      ev(2, 'comment:new', 2_000, { text: 'hi' }),
      ev(3, 'product:pinned', 3_000, { productId: P, product: { id: P, title: 'Tea' } }),
      ev(4, 'sale:scheduled', 4_000, { sale: { id: 's1', productId: P, opensAt: 16_000 } }),
      ev(5, 'product:pinned', 5_000, { productId: null }),
      ev(6, 'sale:stock', 17_000, { saleId: 's1', soldOut: false }),
      ev(7, 'sale:stock', 18_000, { saleId: 's1', soldOut: true }),
      ev(8, 'sale:stock', 18_500, { saleId: 's1', soldOut: true }),
      ev(9, 'qa:updated', 12_000, { text: 'Is it organic?', status: 'answered' }),
      ev(10, 'qa:updated', 12_500, { text: 'pinned only', status: 'open' }),
      ev(11, 'poll:closed', 20_000, { question: 'Which colour?' }),
      ev(12, 'lottery:drawn', 21_000, { lottery: { title: 'Free tea' } }),
      ev(13, 'goal:reached', 22_000, { goal: { label: null, threshold: 1000 } }),
      ev(14, 'sale:closed', 30_000, { saleId: 's1' }),
    ];
    expect(buildChapters(events, spans)).toEqual([
      { type: 'product-pinned', label: 'Tea', at: 3_000, offsetMs: 2_000, productId: P },
      { type: 'question-answered', label: 'Is it organic?', at: 12_000, offsetMs: 10_000 }, // in the gap
      { type: 'sale-opened', label: 'Tea', at: 16_000, offsetMs: 11_000, productId: P },
      { type: 'sale-sold-out', label: 'Tea', at: 18_000, offsetMs: 13_000, productId: P },
      { type: 'poll-closed', label: 'Which colour?', at: 20_000, offsetMs: 15_000 },
      { type: 'lottery-drawn', label: 'Free tea', at: 21_000, offsetMs: 16_000 },
      { type: 'goal-reached', label: '1000 likes', at: 22_000, offsetMs: 17_000 },
      { type: 'sale-closed', label: 'Tea', at: 30_000, offsetMs: 25_000, productId: P },
    ]);
  });

  it('is empty for a live where nothing chapter-worthy happened', () => {
    expect(buildChapters([ev(1, 'comment:new', 5, {})], [])).toEqual([]);
  });
});
