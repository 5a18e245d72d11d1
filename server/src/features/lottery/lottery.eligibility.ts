/**
 * Entry-time eligibility of a lottery's rules (all that are set must hold). The keyword rule is enforced by
 * the entry path (only a keyword comment enters); presence is re-checked at the draw by the service.
 */
import type { TokenClaims } from '@lc/contracts/auth.schema';
import type { Role } from '@lc/contracts/ids';
import type { LotteryRules } from '@lc/contracts/lottery.schema';

export type FailedRule = 'staff' | 'followsHost' | 'minWatchMinutes' | 'boughtInLive' | 'presentAtDraw';

export interface EligibilityFacts {
  roleOf(user: TokenClaims, liveId: string): Promise<Role>;
  follows(liveId: string, userId: string): Promise<boolean>;
  bought(liveId: string, userId: string): Promise<boolean>;
  watchedMs(liveId: string, userId: string): Promise<number>;
  present(liveId: string, userId: string): Promise<boolean>;
}

/** The first rule the user fails, or null when eligible. Cheap checks first. */
export async function firstFailedRule(
  facts: EligibilityFacts,
  rules: LotteryRules,
  liveId: string,
  user: TokenClaims,
): Promise<FailedRule | null> {
  if (rules.excludeStaff && (await facts.roleOf(user, liveId)) !== 'viewer') return 'staff';
  if (rules.presentAtDraw && !(await facts.present(liveId, user.sub))) return 'presentAtDraw';
  if (rules.followsHost && !(await facts.follows(liveId, user.sub))) return 'followsHost';
  if (rules.boughtInLive && !(await facts.bought(liveId, user.sub))) return 'boughtInLive';
  if (rules.minWatchMinutes && (await facts.watchedMs(liveId, user.sub)) < rules.minWatchMinutes * 60_000)
    return 'minWatchMinutes';
  return null;
}
