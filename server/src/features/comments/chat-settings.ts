/** Chat settings as stored in the live's chat hash (Redis strings) and as the contract shows them. */
import type { ChatSettings } from '@lc/contracts/comment.schema';

export const settingsOf = (raw: Record<string, string>): ChatSettings => ({
  slowModeSec: Math.round(Number(raw.slowMs ?? 0) / 1000),
  followersOnly: raw.followersOnly === '1',
  buyersOnly: raw.buyersOnly === '1',
});
