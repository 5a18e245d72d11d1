/**
 * Signed group share links: `gb.<groupId>.<sharerId>.<sig>` with an HMAC over (live, group, sharer), the same
 * scheme as invite links (features/invites). A join through a valid link is attributed to its sharer.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'gb';

export function createGroupLinks(secret: string, publicUrl: string) {
  const sign = (liveId: string, groupId: string, sharerId: string) =>
    createHmac('sha256', secret)
      .update(`groupbuy|${liveId}|${groupId}|${sharerId}`)
      .digest('base64url')
      .slice(0, 22);
  return {
    link(liveId: string, groupId: string, sharerId: string) {
      const ref = `${PREFIX}.${groupId}.${sharerId}.${sign(liveId, groupId, sharerId)}`;
      return {
        ref,
        url: `${publicUrl}/?live=${liveId}&group=${groupId}&ref=${encodeURIComponent(ref)}`,
        groupId,
      };
    },
    /** The sharer a ref names when its signature holds for this live and group; undefined otherwise. */
    sharer(liveId: string, groupId: string, ref: string | undefined): string | undefined {
      const parts = ref?.split('.');
      if (parts?.length !== 4 || parts[0] !== PREFIX || parts[1] !== groupId) return undefined;
      const [, , sharerId, sig] = parts as [string, string, string, string];
      const given = Buffer.from(sig);
      const expected = Buffer.from(sign(liveId, groupId, sharerId));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return sharerId;
    },
  };
}
export type GroupLinks = ReturnType<typeof createGroupLinks>;
