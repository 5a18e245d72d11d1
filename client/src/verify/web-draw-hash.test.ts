import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { LotteryAudit } from '@lc/contracts/lottery.schema';
import { commitmentOf, draw, verifyAudit } from '@lc/contracts/lottery-draw';
import { newSeed, nodeDrawHash } from '@lc/contracts/node-draw-hash';
import { describe, expect, it } from 'vitest';
import { hmacSha256, sha256 } from './sha256';
import { jsDrawHash, webDrawHash } from './web-draw-hash';

/** An audit as the server writes it, drawn with node:crypto. */
function serverAudit(entrants: string[], k: number, runnersUp: number): LotteryAudit {
  const seed = newSeed();
  const r = draw({ seed, entrants, k, runnersUp }, nodeDrawHash);
  return {
    lotteryId: randomUUID(),
    liveId: randomUUID(),
    algorithm: 'hmac-sha256-min-k/v1',
    rules: { followsHost: false, boughtInLive: false, presentAtDraw: false, excludeStaff: true },
    prize: { kind: 'coupon', couponId: 'cp_1' },
    commitment: commitmentOf(seed, nodeDrawHash),
    seed,
    entrants: r.entrants,
    entrantsHash: r.entrantsHash,
    k,
    runnersUpCount: runnersUp,
    winners: r.winners,
    runnersUp: r.runnersUp,
    drawnAt: Date.now(),
  };
}

describe('the browser draw hash (WebCrypto)', () => {
  it('recomputes the same winners and runners-up as node:crypto, for 500 entrants with non-ASCII ids', async () => {
    const ids = Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? `用户-${i}-🎁` : `u_${randomUUID()}`));
    const audit = serverAudit(ids, 5, 3);
    const web = await webDrawHash(audit);
    const again = draw({ seed: audit.seed, entrants: audit.entrants, k: 5, runnersUp: 3 }, web);
    expect(again.winners).toEqual(audit.winners);
    expect(again.runnersUp).toEqual(audit.runnersUp);
    expect(again.entrantsHash).toBe(audit.entrantsHash);
    expect(commitmentOf(audit.seed, web)).toBe(audit.commitment);
    expect(verifyAudit(audit, web)).toEqual({ match: true, problems: [] });
  });

  it('says MISMATCH for a swapped winner, a wrong seed and a non-hex seed, like the server verifier', async () => {
    const audit = serverAudit(['a', 'b', 'c', 'd', 'e'], 1, 1);
    const loser = audit.entrants.find((id) => id !== audit.winners[0])!;
    const tampered = [
      { ...audit, winners: [loser] },
      { ...audit, seed: newSeed() },
      { ...audit, seed: 'not hex' },
      { ...audit, entrants: [...audit.entrants].reverse() },
    ];
    for (const a of tampered) {
      const web = verifyAudit(a, await webDrawHash(a));
      expect(web.match).toBe(false);
      expect(web).toEqual(verifyAudit(a, nodeDrawHash));
    }
  });
});

describe('the plain-JS SHA-256 fallback (pages without WebCrypto)', () => {
  it('matches node:crypto at every padding boundary, and HMAC with short, 64-byte and long keys', () => {
    for (const len of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const data = randomBytes(len);
      expect(Buffer.from(sha256(data)).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'));
      for (const keyLen of [0, 32, 64, 65, 200]) {
        const key = randomBytes(keyLen);
        expect(Buffer.from(hmacSha256(key, data)).toString('hex')).toBe(
          createHmac('sha256', key).update(data).digest('hex'),
        );
      }
    }
  });

  it('verifies a server audit as MATCH and a swapped winner as MISMATCH', () => {
    const audit = serverAudit(
      Array.from({ length: 200 }, (_, i) => `用户${i}`),
      3,
      2,
    );
    expect(verifyAudit(audit, jsDrawHash)).toEqual({ match: true, problems: [] });
    const loser = audit.entrants.find((id) => !audit.winners.includes(id))!;
    expect(verifyAudit({ ...audit, winners: [loser, ...audit.winners.slice(1)] }, jsDrawHash).match).toBe(
      false,
    );
  });
});
