/**
 * The draw, as one pure function shared by the server, the `verify-draw` command and (later) the browser.
 * Hashing is injected so this module imports nothing platform-specific.
 *
 * Algorithm `hmac-sha256-min-k/v1`:
 *   seed        32 random bytes, written as 64 lowercase hex chars
 *   commitment  = hex(sha256(seed bytes))                         published at creation
 *   entrants    = unique user ids sorted by UTF-16 code unit (JS default sort)
 *   entrantsHash= hex(sha256(utf8(entrants.join("\n"))))          published at the draw
 *   score(u)    = hex(HMAC-SHA256(key = seed bytes, msg = utf8(u)))
 *   ranking     = entrants sorted by score ascending (hex string compare), ties by user id
 *   winners     = first min(k, n) of the ranking; runnersUp = the next min(r, n - k)
 */
import type { LotteryAudit } from './lottery.schema';

export interface DrawHash {
  /** hex(sha256(bytes)). */
  sha256Hex(data: Uint8Array): string;
  /** hex(HMAC-SHA256(key, msg)). */
  hmacSha256Hex(key: Uint8Array, msg: Uint8Array): string;
}

const utf8 = new TextEncoder();

export function hexToBytes(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error('not lowercase hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export const commitmentOf = (seedHex: string, h: DrawHash) => h.sha256Hex(hexToBytes(seedHex));

export const canonicalEntrants = (ids: Iterable<string>) => [...new Set(ids)].sort();

export const entrantsHashOf = (canonical: string[], h: DrawHash) =>
  h.sha256Hex(utf8.encode(canonical.join('\n')));

export interface DrawResult {
  entrants: string[];
  entrantsHash: string;
  winners: string[];
  runnersUp: string[];
}

/** Draws from any list of ids (canonicalised here). */
export function draw(
  input: { seed: string; entrants: Iterable<string>; k: number; runnersUp: number },
  h: DrawHash,
): DrawResult {
  const entrants = canonicalEntrants(input.entrants);
  const key = hexToBytes(input.seed);
  const ranked = entrants
    .map((id) => ({ id, score: h.hmacSha256Hex(key, utf8.encode(id)) }))
    .sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((e) => e.id);
  const k = Math.min(input.k, ranked.length);
  return {
    entrants,
    entrantsHash: entrantsHashOf(entrants, h),
    winners: ranked.slice(0, k),
    runnersUp: ranked.slice(k, k + Math.max(0, input.runnersUp)),
  };
}

/** Recomputes an audit record; MATCH only when every published value follows from the inputs. */
export function verifyAudit(a: LotteryAudit, h: DrawHash): { match: boolean; problems: string[] } {
  const problems: string[] = [];
  let seedOk = true;
  try {
    if (hexToBytes(a.seed).length !== 32) problems.push('seed is not 32 bytes');
    if (commitmentOf(a.seed, h) !== a.commitment) problems.push('sha256(seed) differs from the commitment');
  } catch {
    seedOk = false;
    problems.push('seed is not hex');
  }
  const canonical = canonicalEntrants(a.entrants);
  if (canonical.length !== a.entrants.length || canonical.some((id, i) => id !== a.entrants[i]))
    problems.push('entrants are not in canonical order');
  if (entrantsHashOf(a.entrants, h) !== a.entrantsHash)
    problems.push('entrantsHash differs from the entrants');
  if (seedOk) {
    const r = draw({ seed: a.seed, entrants: a.entrants, k: a.k, runnersUp: a.runnersUpCount }, h);
    const same = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
    if (!same(r.winners, a.winners)) problems.push('winners differ from the recomputed ones');
    if (!same(r.runnersUp, a.runnersUp)) problems.push('runners-up differ from the recomputed ones');
  }
  return { match: problems.length === 0, problems };
}
