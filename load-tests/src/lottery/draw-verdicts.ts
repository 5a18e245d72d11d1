/**
 * Correctness of one lottery draw under load, from its public audit record and what the load generator saw:
 * exactly K distinct winners, all among the entrants, the frozen entrant list equal to the entries the server
 * acknowledged, and the winners recomputed by the verifier (the code behind `npm run verify-draw`) → MATCH.
 * A copy of the audit tampered in-process must give MISMATCH: proof that the check can fail.
 */
import { LotteryAudit } from '@lc/contracts/lottery.schema';
import { verifyAudit } from '@lc/contracts/lottery-draw';
import { nodeDrawHash } from '@lc/contracts/node-draw-hash';
import type { Verdict } from '../scenario';

/** The verifier command's verdict on an audit record (same parse, same function, same hash). */
export function verifierSays(raw: unknown): { verdict: 'MATCH' | 'MISMATCH'; problems: string[] } {
  const audit = LotteryAudit.parse(raw);
  const { match, problems } = verifyAudit(audit, nodeDrawHash);
  return { verdict: match ? 'MATCH' : 'MISMATCH', problems };
}

/** The audit with its seed changed (one hex digit flipped) and one entrant dropped. */
export function tamper(audit: LotteryAudit): LotteryAudit {
  const flip = audit.seed[0] === '0' ? '1' : '0';
  return { ...audit, seed: flip + audit.seed.slice(1), entrants: audit.entrants.slice(1) };
}

export function drawVerdicts(
  label: string,
  raw: unknown,
  expected: { k: number; acked: ReadonlySet<string> },
): { verdicts: Verdict[]; audit: LotteryAudit } {
  const audit = LotteryAudit.parse(raw);
  const entrants = new Set(audit.entrants);
  const winners = new Set(audit.winners);
  const k = Math.min(expected.k, expected.acked.size);
  const strangers = audit.winners.filter((w) => !entrants.has(w) || !expected.acked.has(w)).length;
  const missing = [...expected.acked].filter((u) => !entrants.has(u)).length;
  const extra = audit.entrants.filter((u) => !expected.acked.has(u)).length;
  const verified = verifierSays(audit);
  const tampered = verifierSays(tamper(audit));
  return {
    audit,
    verdicts: [
      {
        name: `${label}: exactly K distinct winners`,
        pass: audit.winners.length === k && winners.size === k && k > 0,
        detail: `${audit.winners.length} winners, ${winners.size} distinct, K = ${k}`,
      },
      {
        name: `${label}: winners all among the entrants`,
        pass: strangers === 0,
        detail: `${strangers} winners not among the acknowledged entrants`,
      },
      {
        name: `${label}: entrant count == successful entries`,
        pass: audit.entrants.length === expected.acked.size && missing === 0 && extra === 0,
        detail: `${audit.entrants.length} frozen entrants, ${expected.acked.size} entries acknowledged; ${missing} acknowledged but missing, ${extra} not acknowledged`,
      },
      {
        name: `${label}: verifier reproduces the winners (MATCH)`,
        pass: verified.verdict === 'MATCH',
        detail: verified.verdict === 'MATCH' ? 'MATCH' : `MISMATCH: ${verified.problems.join('; ')}`,
      },
      {
        name: `${label}: a tampered audit gives MISMATCH`,
        pass: tampered.verdict === 'MISMATCH',
        detail: `seed flipped and one entrant dropped → ${tampered.verdict}${tampered.problems.length ? ` (${tampered.problems.length} problems)` : ''}`,
      },
    ],
  };
}
