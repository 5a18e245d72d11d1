/**
 * TEST-ONLY preload that breaks the server on purpose, to prove the flash-sale verdicts can fail: passed as
 * `node --import tsx --import ./load-tests/src/commerce/broken-stock.ts server/src/main.ts` (the scenario's
 * `--break-stock`), it rewrites the text of sale-reserve-10.lua as the server reads it, dropping the stock check.
 * Production code has no switch for this; nothing here ships with the server.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const SCRIPT = /sale-reserve-\d+\.lua$/;
const STOCK_CHECK = /^\s*if remaining < q then return \{h = rec\.h, c = -6\} end\s*$/m;

const original = fs.readFileSync;
const patched = ((path: fs.PathOrFileDescriptor, options?: unknown) => {
  const out = (original as (p: fs.PathOrFileDescriptor, o?: unknown) => string | Buffer)(path, options);
  if (typeof path !== 'string' || !SCRIPT.test(path)) return out;
  const text = out.toString();
  if (!STOCK_CHECK.test(text)) {
    // Fail loudly: a "broken" server that is not broken would make the proof pass for the wrong reason.
    throw new Error(`broken-stock: the stock check was not found in ${path}; update the pattern`);
  }
  const broken = text.replace(
    STOCK_CHECK,
    '  -- stock check removed by load-tests/src/commerce/broken-stock.ts',
  );
  process.stderr.write(`BROKEN-STOCK: ${path} loaded without its stock check (test-only)\n`);
  return typeof out === 'string' ? broken : Buffer.from(broken);
}) as typeof fs.readFileSync;
fs.readFileSync = patched;
// NOTE: ESM `import { readFileSync } from 'node:fs'` bindings only see the patch after this call.
syncBuiltinESMExports();
