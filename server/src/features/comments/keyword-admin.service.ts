/** Keyword lists of a live (block / mask / hold terms), administered by staff; every change is audited. */
import type { TokenClaims } from '@lc/contracts/auth.schema';
import type { KeywordListBody } from '@lc/contracts/comment.schema';
import type { ModerationLogRepo } from '../../ledger/moderation-log.repo';
import type { Keywords } from './keywords';

type Actor = Pick<TokenClaims, 'sub' | 'name'>;

export function createKeywordAdmin(deps: { keywords: Keywords; audit: ModerationLogRepo }) {
  const audit = deps.audit.record;
  return {
    lists: (liveId: string) => deps.keywords.list(liveId),

    /** Creates or replaces a keyword list; audited. @throws VALIDATION (too many terms) */
    async put(actor: Actor, liveId: string, name: string, body: KeywordListBody) {
      const list = await deps.keywords.put(liveId, name, body);
      await audit({
        liveId,
        actor: { id: actor.sub, name: actor.name },
        action: 'keywords',
        detail: { list: name, op: 'put', action: list.action, terms: list.terms.length },
      });
      return list;
    },

    async remove(actor: Actor, liveId: string, name: string): Promise<{ removed: boolean }> {
      const removed = await deps.keywords.remove(liveId, name);
      if (removed) {
        await audit({
          liveId,
          actor: { id: actor.sub, name: actor.name },
          action: 'keywords',
          detail: { list: name, op: 'remove' },
        });
      }
      return { removed };
    },
  };
}
export type KeywordAdmin = ReturnType<typeof createKeywordAdmin>;
