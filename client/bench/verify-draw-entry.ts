/** Page side of the verify benchmark: the verify page's own path (WebCrypto digests, then the shared check). */
import type { LotteryAudit } from '@lc/contracts/lottery.schema';
import { verifyAudit } from '@lc/contracts/lottery-draw';
import { jsDrawHash, webDrawHash } from '../src/verify/web-draw-hash';

/** `webcrypto`: the page's normal path; `js`: the fallback of pages without WebCrypto (insecure contexts). */
(globalThis as unknown as { verifyInPage: unknown }).verifyInPage = async (
  audit: LotteryAudit,
  mode: 'webcrypto' | 'js',
) => {
  const t0 = performance.now();
  const r = verifyAudit(audit, mode === 'js' ? jsDrawHash : await webDrawHash(audit));
  return { ms: performance.now() - t0, match: r.match };
};
