/**
 * `--baseline-ref <git-ref>`: the project as it was at another commit, run side by side with this checkout
 * (A B A B in one run), so a change is measured before/after at one commit pair. The ref's tree is exported
 * with `git archive` into a temporary directory that borrows this checkout's installed packages (a
 * `node_modules` of symlinks, with `@lc/contracts` pointing at the ref's own contracts); removed at exit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './processes';

const made = new Map<string, { dir: string; commit: string }>();
process.once('exit', () => {
  for (const { dir } of made.values()) rmSync(dir, { recursive: true, force: true });
});

/** The exported tree of `ref` (one per ref per run) and the commit it resolved to. */
export function checkoutRef(ref: string): { dir: string; commit: string } {
  const hit = made.get(ref);
  if (hit) return hit;
  const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const dir = mkdtempSync(join(tmpdir(), `lc-ref-${commit.slice(0, 7)}-`));
  const archive = execFileSync('git', ['archive', '--format=tar', commit], { cwd: ROOT, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@lc'), { recursive: true });
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === '@lc' || name === '.bin') continue;
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  }
  symlinkSync(join(dir, 'contracts'), join(modules, '@lc', 'contracts'));
  const out = { dir, commit };
  made.set(ref, out);
  return out;
}
