/**
 * Live progress: one line rewritten in place on a terminal (at most 4 times a second); on a pipe or in CI, the
 * same line printed at most every 5 s. `log()` prints a permanent line above it.
 */
export interface Progress {
  update(line: string): void;
  log(line: string): void;
  done(): void;
}

export function createProgress(out: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  const tty = Boolean(out.isTTY);
  const minGapMs = tty ? 250 : 5000;
  let current = '';
  let lastDraw = 0;
  const clear = () => {
    if (tty && current) out.write('\r\x1b[2K');
  };
  const draw = () => {
    lastDraw = Date.now();
    if (tty) out.write(`\r\x1b[2K${current.slice(0, Math.max(20, (out.columns ?? 120) - 1))}`);
    else out.write(`${current}\n`);
  };
  return {
    update(line) {
      current = line;
      if (quiet) return;
      if (Date.now() - lastDraw >= minGapMs) draw();
    },
    log(line) {
      if (quiet) return;
      clear();
      out.write(`${line}\n`);
      if (tty && current) draw();
    },
    done() {
      if (!quiet) clear();
      current = '';
    },
  };
}

/** A progress sink that prints nothing (programmatic runs, tests). */
export const silentProgress: Progress = { update() {}, log() {}, done() {} };
