/**
 * Recomputes a lottery draw from its audit record, without a server of ours:
 *   npm run verify-draw -- <audit.json | https://…/api/lives/<liveId>/lotteries/<id>/audit>
 * Prints MATCH (exit 0) or MISMATCH with the reasons (exit 1); exit 2 when the record can't be read.
 */
import { readFileSync } from 'node:fs';
import { LotteryAudit } from '@lc/contracts/lottery.schema';
import { verifyAudit } from '@lc/contracts/lottery-draw';
import { nodeDrawHash } from '@lc/contracts/node-draw-hash';

async function load(src: string): Promise<unknown> {
  if (/^https?:\/\//.test(src)) {
    const res = await fetch(src);
    if (!res.ok) throw new Error(`GET ${src}: ${res.status}`);
    return res.json();
  }
  return JSON.parse(readFileSync(src, 'utf8'));
}

async function main() {
  const src = process.argv[2];
  if (!src) {
    console.error('usage: npm run verify-draw -- <audit.json | URL>');
    process.exit(2);
  }
  let audit: LotteryAudit;
  try {
    audit = LotteryAudit.parse(await load(src));
  } catch (err) {
    console.error(`cannot read the audit record: ${(err as Error).message}`);
    process.exit(2);
  }
  const { match, problems } = verifyAudit(audit, nodeDrawHash);
  if (match) {
    console.log(`MATCH ${audit.winners.length} winner(s) of ${audit.entrants.length} entrant(s)`);
    process.exit(0);
  }
  console.log('MISMATCH');
  for (const p of problems) console.log(`- ${p}`);
  process.exit(1);
}
void main();
