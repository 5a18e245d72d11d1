/**
 * Benchmark: recomputing a lottery draw in the browser (the verify page: WebCrypto in Chromium) against the
 * `verify-draw` command's path (node:crypto), side by side in one run, A B A B, medians per entrant count.
 * Each run checks that both say MATCH. Writes JSON to load-tests/results/<date>/.
 *
 *   flock /tmp/bench.lock taskset -c 1 npx tsx client/bench/verify-draw.ts [--sizes 1000,10000,100000] [--rounds 5]
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { LotteryAudit } from '@lc/contracts/lottery.schema';
import { commitmentOf, draw, verifyAudit } from '@lc/contracts/lottery-draw';
import { newSeed, nodeDrawHash } from '@lc/contracts/node-draw-hash';
import { build } from 'vite';
import { launchChromium } from '../../test/browser/chromium';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
};
const sizes = arg('sizes', '1000,10000,100000').split(',').map(Number);
const rounds = Number(arg('rounds', '5'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function audit(n: number): LotteryAudit {
  const seed = newSeed();
  const ids = Array.from(
    { length: n },
    (_, i) => `g_${i.toString(36).padStart(6, '0')}-${(i * 7919) % 100_003}`,
  );
  const r = draw({ seed, entrants: ids, k: 10, runnersUp: 10 }, nodeDrawHash);
  return {
    lotteryId: 'bench',
    liveId: 'bench',
    algorithm: 'hmac-sha256-min-k/v1',
    rules: { followsHost: false, boughtInLive: false, presentAtDraw: false, excludeStaff: true },
    prize: { kind: 'coupon', couponId: 'bench' },
    commitment: commitmentOf(seed, nodeDrawHash),
    seed,
    entrants: r.entrants,
    entrantsHash: r.entrantsHash,
    k: 10,
    runnersUpCount: 10,
    winners: r.winners,
    runnersUp: r.runnersUp,
    drawnAt: Date.now(),
  };
}

const bundle = await build({
  configFile: false,
  logLevel: 'silent',
  build: {
    write: false,
    lib: { entry: join(import.meta.dirname, 'verify-draw-entry.ts'), formats: ['iife'], name: 'bench' },
  },
});
const code = (Array.isArray(bundle) ? bundle[0]! : (bundle as { output: { code?: string }[] })).output[0]!
  .code!;

const browser = await launchChromium();
const page = await browser.newPage();
// NOTE: WebCrypto needs a secure context: serve an empty page at http://localhost (about:blank is not one).
await page.route('http://localhost/bench', (r) =>
  r.fulfill({ contentType: 'text/html', body: '<!doctype html>' }),
);
await page.goto('http://localhost/bench');
await page.addScriptTag({ content: code });
type InPage = { verifyInPage(a: unknown, mode: string): Promise<{ ms: number; match: boolean }> };

const rows = [];
for (const n of sizes) {
  const a = audit(n);
  const node: number[] = [];
  const web: number[] = [];
  const js: number[] = [];
  // Round 0 warms the JITs up and is not recorded.
  for (let r = 0; r <= rounds; r++) {
    const t0 = performance.now();
    const ok = verifyAudit(a, nodeDrawHash).match;
    const nodeMs = performance.now() - t0;
    const inPage = await page.evaluate(([x, m]) => (globalThis as unknown as InPage).verifyInPage(x, m), [
      a,
      'webcrypto',
    ] as const);
    const inPageJs = await page.evaluate(([x, m]) => (globalThis as unknown as InPage).verifyInPage(x, m), [
      a,
      'js',
    ] as const);
    if (!ok || !inPage.match || !inPageJs.match) throw new Error(`MISMATCH at n=${n}`);
    if (r === 0) continue;
    node.push(nodeMs);
    web.push(inPage.ms);
    js.push(inPageJs.ms);
  }
  const row = {
    entrants: n,
    nodeMs: median(node),
    browserWebCryptoMs: median(web),
    browserJsMs: median(js),
    webCryptoVsNode: median(web) / median(node),
    jsVsNode: median(js) / median(node),
    samples: { node, web, js },
  };
  console.log(
    `${n} entrants: browser WebCrypto ${row.browserWebCryptoMs.toFixed(1)} ms, browser plain JS ${row.browserJsMs.toFixed(1)} ms, node:crypto ${row.nodeMs.toFixed(1)} ms — MATCH all`,
  );
  rows.push(row);
}
await browser.close();

const at = new Date().toISOString();
const dir = join(process.cwd(), 'load-tests/results', at.slice(0, 10));
mkdirSync(dir, { recursive: true });
const file = join(dir, `verify-draw-browser-${at.replace(/[:.]/g, '-').slice(0, 23)}.json`);
writeFileSync(
  file,
  JSON.stringify(
    {
      scenario: 'verify-draw-browser',
      at,
      node: process.version,
      cpus: cpus().length,
      commit: execSync('git rev-parse --short HEAD').toString().trim(),
      cpusAllowed: readFileSync('/proc/self/status', 'utf8').match(/Cpus_allowed_list:\s*(\S+)/)?.[1] ?? null,
      loadavg: loadavg(),
      rounds,
      rows,
    },
    null,
    2,
  ),
);
console.log(`written ${file}`);
