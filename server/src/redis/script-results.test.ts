import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkScript, OUTCOME, SCRIPT_CODES, scriptError, scriptRefusal } from './script-results';
import type { ScriptName } from './scripts';

const LUA_DIR = join(import.meta.dirname, 'lua');
const scripts = readdirSync(LUA_DIR)
  .map((f) => /^(.+)-\d+\.lua$/.exec(f))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ name: m[1] as ScriptName, text: readFileSync(join(LUA_DIR, m[0]), 'utf8') }));

/** The negative codes a script's contract header documents (its Records and Returns paragraphs). */
function documentedCodes(text: string): number[] {
  const header = /^--\[\[([\s\S]*?)\]\]/.exec(text)?.[1] ?? '';
  const from = Math.min(...['Records', 'Returns'].map((w) => header.indexOf(w)).filter((i) => i >= 0));
  const codes = [...header.slice(from).matchAll(/(?<![\w\-[])-(\d+)\b/g)].map((m) => -Number(m[1]));
  return [...new Set(codes)].sort((a, b) => b - a);
}

describe('Lua return codes', () => {
  it('are documented in every script header', () => {
    for (const s of scripts) expect(s.text, s.name).toMatch(/^--\[\[[\s\S]*?Returns[\s\S]*?\]\]/);
  });

  it('are mapped exactly as each header documents them, no more and no fewer', () => {
    for (const s of scripts) {
      const mapped = Object.keys(SCRIPT_CODES[s.name] ?? {})
        .map(Number)
        .sort((a, b) => b - a);
      expect(mapped, `${s.name}-N.lua header vs script-results.ts`).toEqual(documentedCodes(s.text));
    }
    for (const name of Object.keys(SCRIPT_CODES)) {
      expect(
        scripts.map((s) => s.name),
        `${name} has a Lua file`,
      ).toContain(name);
    }
  });
});

describe('the mapper', () => {
  it('turns a refusal into its public error, with details built from the payload', () => {
    expect(scriptRefusal('sale-reserve', -6)).toMatchObject({ code: 'SOLD_OUT', status: 409 });
    expect(scriptRefusal('sale-reserve', -2, '1700000000000')).toMatchObject({
      code: 'SALE_NOT_OPEN',
      details: { opensAt: 1_700_000_000_000 },
    });
    const muted = scriptError('comment-send', -2, 123);
    expect(muted).toMatchObject({ code: 'MUTED', details: { until: 123 } });
    expect(scriptError('comment-send', -7, 1).message).toMatch(/followers/);
    expect(scriptError('like-goal-add', -2, 20).message).toContain('20 like goals');
  });

  it('lets positive codes and documented outcomes through, and throws refusals', () => {
    expect(checkScript('lottery-enter', 7)).toBe(7);
    expect(checkScript('lottery-freeze', -3)).toBe(-3);
    expect(SCRIPT_CODES['lottery-freeze']?.[-3]).toBe(OUTCOME);
    expect(() => checkScript('lottery-enter', -4)).toThrow(
      expect.objectContaining({ code: 'ALREADY_ENTERED' }),
    );
    expect(() => checkScript('poll-vote', -3)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });

  it('answers INTERNAL for a code no header documents, and for an outcome used as an error', () => {
    expect(scriptRefusal('lottery-enter', -99)).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(scriptRefusal('room-since', -1)).toMatchObject({ code: 'INTERNAL' });
    expect(() => checkScript('lottery-enter', -3)).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});
