/**
 * Keyword matching for chat moderation: one Aho–Corasick automaton per room over every list's terms, so a
 * comment is checked in one pass whatever the number of terms (thousands of zh + en terms cost the same
 * per character). Substring matching needs no word boundaries (Chinese has none). Text and terms are folded
 * per code point (NFKC + lower case: `ＳＰＡＭ` and `Spam` match `spam`), and matches are reported in code
 * points of the original text, so masking never splits a surrogate pair.
 *
 * Why not a package: masking needs match ranges mapped back through the folding, with per-action flags merged
 * along suffix links; that is most of the code any library would need around it.
 */
import type { KeywordAction } from '@lc/contracts/comment.schema';

const BLOCK = 1;
const HOLD = 2;
const MASK = 4;
const FLAG: Record<KeywordAction, number> = { block: BLOCK, hold: HOLD, mask: MASK };
/** Edge key = node * CP_SPAN + codePoint (< 2^53 for any realistic automaton). */
const CP_SPAN = 0x110000;

export interface KeywordVerdict {
  /** `block` beats `hold` beats `allow` (mask-only matches are allowed, masked). */
  action: 'allow' | 'block' | 'hold';
  /** The text with every code point covered by a mask term replaced by `*`. */
  text: string;
  masked: boolean;
}

export interface KeywordMatcher {
  readonly terms: number;
  check(text: string): KeywordVerdict;
}

const foldCache = new Map<number, number[]>();
/** Folds one code point to the code points it matches as (usually one; `ﬁ` → `f`,`i`). */
function fold(cp: number): number[] {
  let f = foldCache.get(cp);
  if (!f) {
    f = [];
    for (const ch of String.fromCodePoint(cp).normalize('NFKC').toLowerCase()) f.push(ch.codePointAt(0)!);
    if (foldCache.size < 100_000) foldCache.set(cp, f);
  }
  return f;
}

function foldString(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) for (const c of fold(ch.codePointAt(0)!)) out.push(c);
  return out;
}

export function buildKeywordMatcher(lists: { action: KeywordAction; terms: string[] }[]): KeywordMatcher {
  const edges = new Map<number, number>();
  const kids: number[][] = [[]];
  const own: number[] = [0];
  const ownMaskLen: number[] = [0];
  let terms = 0;
  for (const list of lists) {
    for (const term of list.terms) {
      const cps = foldString(term.trim());
      if (cps.length === 0) continue;
      let node = 0;
      for (const cp of cps) {
        const key = node * CP_SPAN + cp;
        let next = edges.get(key);
        if (next === undefined) {
          next = kids.length;
          kids.push([]);
          own.push(0);
          ownMaskLen.push(0);
          edges.set(key, next);
          kids[node]!.push(cp, next);
        }
        node = next;
      }
      own[node]! |= FLAG[list.action];
      if (list.action === 'mask') ownMaskLen[node] = Math.max(ownMaskLen[node]!, cps.length);
      terms++;
    }
  }
  const n = kids.length;
  const fail = new Int32Array(n);
  const flags = new Uint8Array(n);
  const maskLen = new Int32Array(n);
  // Breadth-first: a node's failure target is always shallower, so its merged outputs are final.
  const queue: number[] = [];
  const root = kids[0]!;
  for (let i = 0; i < root.length; i += 2) {
    const v = root[i + 1]!;
    flags[v] = own[v]!;
    maskLen[v] = ownMaskLen[v]!;
    queue.push(v);
  }
  for (let qi = 0; qi < queue.length; qi++) {
    const u = queue[qi]!;
    const ks = kids[u]!;
    for (let i = 0; i < ks.length; i += 2) {
      const cp = ks[i]!;
      const v = ks[i + 1]!;
      let f = fail[u]!;
      let t = edges.get(f * CP_SPAN + cp);
      while (t === undefined && f !== 0) {
        f = fail[f]!;
        t = edges.get(f * CP_SPAN + cp);
      }
      const fv = t ?? 0;
      fail[v] = fv;
      flags[v] = own[v]! | flags[fv]!;
      maskLen[v] = Math.max(ownMaskLen[v]!, maskLen[fv]!);
      queue.push(v);
    }
  }

  return {
    terms,
    check(text) {
      if (terms === 0) return { action: 'allow', text, masked: false };
      const original = Array.from(text);
      // folded code points, each with the index of the original code point it came from
      const origin: number[] = [];
      const folded: number[] = [];
      original.forEach((ch, i) => {
        for (const c of fold(ch.codePointAt(0)!)) {
          folded.push(c);
          origin.push(i);
        }
      });
      let state = 0;
      let seen = 0;
      let cover: Uint8Array | null = null;
      for (let j = 0; j < folded.length; j++) {
        const cp = folded[j]!;
        let t = edges.get(state * CP_SPAN + cp);
        while (t === undefined && state !== 0) {
          state = fail[state]!;
          t = edges.get(state * CP_SPAN + cp);
        }
        state = t ?? 0;
        const f = flags[state]!;
        if (f === 0) continue;
        seen |= f;
        if (f & BLOCK) return { action: 'block', text, masked: false };
        const len = maskLen[state]!;
        if (len > 0) {
          cover ??= new Uint8Array(original.length);
          for (let k = origin[j - len + 1]!; k <= origin[j]!; k++) cover[k] = 1;
        }
      }
      const masked = cover !== null;
      const out = masked ? original.map((ch, i) => (cover![i] ? '*' : ch)).join('') : text;
      return { action: seen & HOLD ? 'hold' : 'allow', text: out, masked };
    },
  };
}
