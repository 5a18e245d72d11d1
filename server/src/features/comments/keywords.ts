/**
 * Per-live keyword lists (Redis hash `kw`: list name → {action, terms}) and this node's compiled matchers.
 * Every change bumps the room's keyword version (`chat.kwver`); comment-send-14.lua refuses a comment
 * filtered with an older version, so a node never applies stale lists, and checking costs no extra round trip.
 */

import type { KeywordList, KeywordListBody } from '@lc/contracts/comment.schema';
import { AppError } from '@lc/contracts/errors';
import type { Redis } from 'ioredis';
import type { Keys } from '../../redis/keys';
import { buildKeywordMatcher, type KeywordMatcher } from './keyword-matcher';

export interface CompiledKeywords {
  version: string;
  matcher: KeywordMatcher;
}

export function createKeywords(deps: { redis: Redis; keys: Keys; maxTerms: number; cacheSize?: number }) {
  const { redis, keys } = deps;
  const cacheSize = deps.cacheSize ?? 500;
  const cache = new Map<string, CompiledKeywords>();

  const readLists = async (liveId: string): Promise<{ version: string; lists: KeywordList[] }> => {
    const res = await redis.multi().hget(keys.chat(liveId), 'kwver').hgetall(keys.keywords(liveId)).exec();
    const version = (res?.[0]?.[1] as string | null) ?? '0';
    const raw = (res?.[1]?.[1] as Record<string, string>) ?? {};
    const lists = Object.entries(raw)
      .map(([name, json]) => ({ name, ...(JSON.parse(json) as KeywordListBody) }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { version, lists };
  };

  const bump = (liveId: string) => cache.delete(liveId);

  return {
    /**
     * The compiled lists of a live; pass the version Redis reported to refresh a stale one.
     * NOTE: compiled once per version per node (thousands of terms compile in milliseconds).
     */
    async compiled(liveId: string, staleVersion?: string): Promise<CompiledKeywords> {
      const hit = cache.get(liveId);
      if (hit && hit.version !== staleVersion) return hit;
      const { version, lists } = await readLists(liveId);
      const compiled = { version, matcher: buildKeywordMatcher(lists) };
      cache.delete(liveId);
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
      cache.set(liveId, compiled);
      return compiled;
    },
    async list(liveId: string): Promise<KeywordList[]> {
      return (await readLists(liveId)).lists;
    },
    /**
     * Creates or replaces one list (terms deduplicated). @throws VALIDATION when the live's lists would hold
     * more than KEYWORD_MAX_TERMS terms.
     */
    async put(liveId: string, name: string, body: KeywordListBody): Promise<KeywordList> {
      const terms = [...new Set(body.terms.map((t) => t.trim()).filter(Boolean))];
      const { lists } = await readLists(liveId);
      const others = lists.filter((l) => l.name !== name).reduce((n, l) => n + l.terms.length, 0);
      if (others + terms.length > deps.maxTerms) {
        throw new AppError(
          'VALIDATION',
          `a live holds at most ${deps.maxTerms} keyword terms in all its lists`,
        );
      }
      await redis
        .multi()
        .hset(keys.keywords(liveId), name, JSON.stringify({ action: body.action, terms }))
        .hincrby(keys.chat(liveId), 'kwver', 1)
        .exec();
      bump(liveId);
      return { name, action: body.action, terms };
    },
    async remove(liveId: string, name: string): Promise<boolean> {
      const res = await redis
        .multi()
        .hdel(keys.keywords(liveId), name)
        .hincrby(keys.chat(liveId), 'kwver', 1)
        .exec();
      bump(liveId);
      return Number(res?.[0]?.[1] ?? 0) === 1;
    },
  };
}
export type Keywords = ReturnType<typeof createKeywords>;
