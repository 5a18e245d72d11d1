/**
 * axe-core in the page under test: injected by playwright-core, run against the live DOM. `blocking` keeps the
 * serious and critical violations (the suite's gate); `describe` turns them into one readable line each.
 */
import axeCore from 'axe-core';
import type { Page } from 'playwright-core';

export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

export async function axe(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeCore.source });
  // NOTE: a sheet or toast still fading in has a lower contrast than it settles at: check the settled page.
  await page.evaluate(() =>
    Promise.race([
      Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {}))),
      new Promise((r) => setTimeout(r, 3000)),
    ]),
  );
  return page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof axeCore }).axe.run;
    const r = await run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
}

/** The violations the suite refuses: serious and critical. */
export async function blocking(page: Page): Promise<Violation[]> {
  return (await axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export const describe = (vs: Violation[]) =>
  vs.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.targets.slice(0, 5).join(' | ')}`);
