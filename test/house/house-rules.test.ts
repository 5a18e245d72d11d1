/**
 * The house rules enforced by `biome check` in `npm test` (biome.json) can fail: a deliberately bad import or
 * an import loop, written as a probe file into the tree, is refused, and the allowed doors pass.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');
const written: string[] = [];

/** Writes probe files (path relative to the repo root → content) and lints them with the repo's config. */
function lint(files: Record<string, string>): { code: number; out: string } {
  for (const [rel, text] of Object.entries(files)) {
    const abs = join(ROOT, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    written.push(abs);
  }
  const res = spawnSync(BIOME, ['lint', '--max-diagnostics=50', ...Object.keys(files)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: res.status ?? -1, out: `${res.stdout}${res.stderr}` };
}

const tag = () => `house_probe_${randomBytes(4).toString('hex')}`;

afterEach(() => {
  for (const f of written.splice(0)) rmSync(f, { force: true });
});

describe('import rules', () => {
  it('refuse a server internal imported by the load kit, and accept the tools entry and the contracts', () => {
    const bad = `load-tests/src/${tag()}.ts`;
    const res = lint({
      [bad]: "import { createKeys } from '../../server/src/redis/keys';\nexport const k = createKeys;\n",
    });
    expect(res.code).not.toBe(0);
    expect(res.out).toContain('lint/style/noRestrictedImports');
    expect(res.out).toContain('server/src/testkit.ts');

    const good = `load-tests/src/${tag()}.ts`;
    const ok = lint({
      [good]:
        "import { createKeys } from '../../server/src/testkit';\nimport { LiveId } from '@lc/contracts/ids';\nexport const k = [createKeys, LiveId];\n",
    });
    expect(ok.out).not.toContain('noRestrictedImports');
    expect(ok.code).toBe(0);
  });

  it('refuse a server internal imported by the client or a script', () => {
    for (const file of [`client/src/${tag()}.ts`, `scripts/${tag()}.ts`]) {
      const up = file.startsWith('client/') ? '../../' : '../';
      const res = lint({
        [file]: `import { createKeys } from '${up}server/src/redis/keys';\nexport const k = createKeys;\n`,
      });
      expect(res.code, file).not.toBe(0);
      expect(res.out).toContain('lint/style/noRestrictedImports');
    }
  });

  it('keep contracts a leaf package and media/ free of transports', () => {
    const contract = lint({
      [`contracts/${tag()}.ts`]:
        "import type { Config } from '../server/src/config';\nexport type C = Config;\n",
    });
    expect(contract.code).not.toBe(0);
    expect(contract.out).toContain('contracts are a leaf package');

    const media = lint({
      [`media/src/${tag()}.ts`]: "import type { Server } from 'socket.io';\nexport type S = Server;\n",
    });
    expect(media.code).not.toBe(0);
    expect(media.out).toContain('nothing of Socket.IO');
  });
});

describe('import loops', () => {
  it('are refused in server/ and load-tests/', () => {
    for (const base of [`server/src/${tag()}`, `load-tests/src/${tag()}`]) {
      const res = lint({
        [`${base}/a.ts`]: "import { b } from './b';\nexport const a = () => b();\n",
        [`${base}/b.ts`]: "import { a } from './a';\nexport const b = () => a;\n",
      });
      expect(res.code, base).not.toBe(0);
      expect(res.out).toContain('lint/suspicious/noImportCycles');
    }
  });
});
