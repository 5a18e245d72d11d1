/**
 * What each page of the web client loads first: the JS and CSS its built HTML references (entry script,
 * modulepreload links, stylesheets), raw and gzipped (zlib level 9, as a server would send it). Used by the
 * budget test (client/bundle.test.ts) and printed as a table for BENCHMARKS.md:
 *
 *   npx tsx client/bench/bundle-size.ts [built dir]     (builds into a temporary directory when none is given)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

export interface PageSize {
  page: string;
  js: { raw: number; gzip: number; files: string[] };
  css: { raw: number; gzip: number };
}

const PAGES = ['index.html', 'host.html', 'verify.html'];

function sizes(dir: string, files: string[]) {
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const bytes = readFileSync(join(dir, f));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

/** First-load sizes of every page in a built client directory. */
export function measure(dir: string): PageSize[] {
  return PAGES.map((page) => {
    const html = readFileSync(join(dir, page), 'utf8');
    const refs = (re: RegExp) => [...html.matchAll(re)].map((m) => m[1]!.replace(/^\//, ''));
    const js = [
      ...new Set([
        ...refs(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
        ...refs(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
      ]),
    ];
    const css = refs(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g);
    return { page, js: { ...sizes(dir, js), files: js }, css: sizes(dir, css) };
  });
}

/** Builds the client into a temporary directory and measures it. */
export async function buildAndMeasure(): Promise<PageSize[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lc-bundle-'));
  try {
    await build({
      configFile: join(process.cwd(), 'client/vite.config.ts'),
      logLevel: 'silent',
      build: { outDir: dir, emptyOutDir: true },
    });
    return measure(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kB = (n: number) => (n / 1000).toFixed(1);

if (process.argv[1]?.endsWith('bundle-size.ts')) {
  const dir = process.argv[2];
  const pages = dir ? measure(dir) : await buildAndMeasure();
  console.log('| Page | JS (first load) | JS gzipped | CSS | CSS gzipped |');
  console.log('|---|---|---|---|---|');
  for (const p of pages) {
    console.log(
      `| ${p.page} | ${kB(p.js.raw)} kB | **${kB(p.js.gzip)} kB** | ${kB(p.css.raw)} kB | ${kB(p.css.gzip)} kB |`,
    );
  }
}
