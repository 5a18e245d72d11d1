import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measure, type PageSize } from './bench/bundle-size';

/** The viewer's first load must stay small on a phone (issue 19: ≤ 150 kB of gzipped JS). */
const VIEWER_BUDGET_GZ = 150_000;

describe('web client bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-bundle-test-'));
  let pages: PageSize[];
  beforeAll(async () => {
    await build({
      configFile: join(process.cwd(), 'client/vite.config.ts'),
      logLevel: 'silent',
      build: { outDir: dir, emptyOutDir: true },
    });
    pages = measure(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const page = (name: string) => pages.find((p) => p.page === name)!;

  it('the viewer loads at most 150 kB of gzipped JS first', () => {
    expect(page('index.html').js.files.length).toBeGreaterThan(0);
    expect(page('index.html').js.gzip).toBeLessThanOrEqual(VIEWER_BUDGET_GZ);
  });

  it('the viewer ships neither the studio charts (uPlot) nor zod', () => {
    const code = page('index.html')
      .js.files.map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    // Markers that survive minification: uPlot's own class names, zod's error class.
    expect(code.includes('u-over'), 'uPlot in the viewer').toBe(false);
    expect(code.includes('ZodError'), 'zod in the viewer').toBe(false);
    // The studio does load its charts (so the check above would notice them).
    const studio = page('host.html')
      .js.files.map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    expect(studio.includes('u-over'), 'uPlot in the studio').toBe(true);
  });
});
