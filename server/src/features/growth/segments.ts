/**
 * Lifecycle segments of one merchant: the recompute (end-of-live step, REST-requested job, schedule), paged
 * lists, the CSV export and a segment as the audience of a coupon.
 */
import { AppError } from '@lc/contracts/errors';
import {
  SEGMENT_CSV_COLUMNS,
  type Segment,
  type SegmentCouponResult,
  type SegmentPage,
  type SegmentRecomputeResult,
} from '@lc/contracts/segments.schema';
import { stringify } from 'csv-stringify';
import type { Db } from '../../ledger/db';
import { createSegmentsRepo, type SegmentPhase } from '../../ledger/segments.repo';

const EXPORT_PAGE = 2000;

export function createSegments(deps: { db: Db; now?: () => number }) {
  const repo = createSegmentsRepo(deps.db);
  const now = deps.now ?? Date.now;
  return {
    repo,
    async recompute(
      merchantId: string,
      progress?: (phase: SegmentPhase) => Promise<unknown>,
    ): Promise<SegmentRecomputeResult> {
      const t0 = performance.now();
      const at = new Date(now());
      const rules = await repo.rules(merchantId);
      const r = await repo.recompute(merchantId, rules, at, progress);
      return { ...r, computedAt: at.toISOString(), ms: Math.round(performance.now() - t0) };
    },
    async page(merchantId: string, segment: Segment, after: string, limit: number): Promise<SegmentPage> {
      const rows = await repo.page(merchantId, segment, after, limit + 1);
      const items = rows.slice(0, limit);
      return { segment, items, next: rows.length > limit ? items.at(-1)!.userId : null };
    },
    /**
     * The segment as CSV (RFC 4180 quoting; cells a spreadsheet would run as a formula are prefixed with `'`),
     * read page by page while the client reads, so memory stays flat whatever the segment's size.
     */
    exportCsv(merchantId: string, segment: Segment): NodeJS.ReadableStream {
      const csv = stringify({
        header: true,
        columns: [...SEGMENT_CSV_COLUMNS],
        escape_formulas: true,
        bom: true,
      });
      const pump = async () => {
        let after = '';
        for (;;) {
          const rows = await repo.page(merchantId, segment, after, EXPORT_PAGE);
          for (const m of rows) {
            const ok = csv.write([
              m.userId,
              m.displayName ?? '',
              m.segment,
              m.firstSeenAt,
              m.lastSeenAt,
              m.lastAttendedAt ?? '',
              m.lastBoughtAt ?? '',
              m.lives,
              m.orders,
              m.spend,
            ]);
            // NOTE: wait for a slow client rather than buffering the whole segment.
            if (!ok) await new Promise((r) => csv.once('drain', r));
          }
          if (rows.length < EXPORT_PAGE) break;
          after = rows.at(-1)!.userId;
        }
        csv.end();
      };
      pump().catch((err) => csv.destroy(err as Error));
      return csv;
    },
    /**
     * Issues one claim of one of the merchant's coupons to every member of the segment, once per user
     * (a retried or concurrent grant issues nothing twice).
     * @throws COUPON_NOT_FOUND (not a coupon of one of the merchant's lives)
     */
    async grantCoupon(merchantId: string, segment: Segment, couponId: string): Promise<SegmentCouponResult> {
      if (!(await repo.couponOfMerchant(merchantId, couponId)))
        throw new AppError('COUPON_NOT_FOUND', 'no coupon with that id in one of your lives');
      const { audience, granted } = await repo.grantCoupon(merchantId, segment, couponId);
      return { couponId, segment, audience, granted, alreadyGranted: audience - granted };
    },
  };
}
export type Segments = ReturnType<typeof createSegments>;
