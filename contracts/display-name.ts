/**
 * Role imitation in display names: a name must not pass itself off as a role the account does not hold ("Host",
 * "主播", "m0derator", "Ｈｏｓｔ", Cyrillic look-alikes…): others read a name next to a comment and would take it
 * for the host's or a moderator's. Kept out of auth.schema so clients don't bundle the confusables table.
 */
import unhomoglyph from 'unhomoglyph';

export type ImitableRole = 'host' | 'moderator';

/**
 * Latin words match a whole word of the name (or the whole name spelled out); CJK words anywhere in it.
 * NOTE: not "mod": it is too common a word in user names ("studio_mod", "mod_fan") to refuse on its own.
 */
const ROLE_WORDS: Record<ImitableRole, { words: string[]; cjk: string[] }> = {
  host: { words: ['host', 'streamer'], cjk: ['主播'] },
  moderator: {
    words: ['moderator', 'admin', 'administrator'],
    cjk: ['管理员', '房管', '超管'],
  },
};

// NOTE: each character is folded from both cases: the confusables table maps some letters in one case only
// (Cyrillic т → ᴛ, Т → T); the ASCII result wins.
const ASCII = /^[\x20-\x7e]*$/;
const foldChar = (c: string): string => {
  // Latin letters stay themselves (the table would turn m into rn).
  if (/[a-z]/i.test(c)) return c.toLowerCase();
  const lower = unhomoglyph(unhomoglyph(c.toLowerCase()).toLowerCase()).toLowerCase();
  if (ASCII.test(lower)) return lower;
  const upper = unhomoglyph(c.toUpperCase()).toLowerCase();
  return ASCII.test(upper) ? upper : lower;
};
const skeleton = (s: string): string =>
  Array.from(s.normalize('NFKD').replace(/\p{M}/gu, ''), foldChar).join('');
const FOLDED = Object.fromEntries(
  Object.entries(ROLE_WORDS).map(([role, w]) => [role, new Set(w.words.map(skeleton))]),
) as Record<ImitableRole, Set<string>>;

/** The role `name` passes itself off as, if any. */
export function imitatedRole(name: string): ImitableRole | null {
  const words = name
    .normalize('NFKC')
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const whole = words.join('');
  const candidates = [...words.map((w) => w.replace(/^\p{N}+|\p{N}+$/gu, '')), whole].filter(Boolean);
  const folded = candidates.map(skeleton);
  const wholeFolded = skeleton(whole);
  for (const role of ['host', 'moderator'] as const) {
    if (folded.some((f) => FOLDED[role].has(f))) return role;
    if (ROLE_WORDS[role].cjk.some((w) => wholeFolded.includes(w))) return role;
  }
  return null;
}
