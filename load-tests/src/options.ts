/**
 * Command-line options: `--kebab-case value` (or `--name=value`), validated with zod into camelCase keys.
 * Builders give every numeric option a clear message (`--viewers: must be a whole number, got "lots"`).
 */
import { cpus } from 'node:os';
import { z } from 'zod';

/** Whole number in [min, max], given as a string on the command line. */
export const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** Decimal number in [min, max]. */
export const num = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of: ${values.join(', ')}` });

export const onOff = z.enum(['on', 'off'], { error: 'must be on or off' }).transform((v) => v === 'on');

/** A flag given without a value (`--spawn`). */
export const flag = z.boolean().default(false);

export const cpu = z
  .string()
  .trim()
  .regex(/^\d+$/, 'must be a CPU number (0, 1, …)')
  .transform(Number)
  .refine(
    (n) => n < cpus().length,
    `no such CPU on this machine (it has ${cpus().length}: 0..${cpus().length - 1})`,
  );

export const httpUrl = z
  .string()
  .trim()
  .url('must be a URL like http://127.0.0.1:3000')
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
  .transform((u) => u.replace(/\/$/, ''));

export const kebab = (camel: string) => camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const camel = (kebabName: string) =>
  kebabName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Splits argv into option values keyed by camelCase name. `flags` take no value; `multiple` may repeat
 * (collected into arrays). Unknown options and missing values are usage errors naming the option.
 */
export function splitArgs(
  argv: readonly string[],
  known: { names: ReadonlySet<string>; flags: ReadonlySet<string>; multiple: ReadonlySet<string> },
  context: string,
): { values: Record<string, unknown>; positionals: string[] } {
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = camel(arg.slice(2, eq < 0 ? undefined : eq));
    if (!known.names.has(name)) {
      throw new UsageError(`unknown option ${arg.split('=')[0]} for ${context}`);
    }
    let value: unknown;
    if (known.flags.has(name)) {
      if (eq >= 0) throw new UsageError(`--${kebab(name)} takes no value`);
      value = true;
    } else if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${kebab(name)} needs a value`);
      value = next;
      i++;
    }
    if (known.multiple.has(name)) values[name] = [...((values[name] as unknown[]) ?? []), value];
    else if (name in values) throw new UsageError(`--${kebab(name)} given twice`);
    else values[name] = value;
  }
  return { values, positionals };
}

/** One line per problem, naming the option and the value given. */
export function formatIssues(error: z.ZodError, given: Record<string, unknown>): string {
  return error.issues
    .map((i) => {
      const key = String(i.path[0] ?? '');
      if (!key) return `  ${i.message}`;
      const raw = given[key];
      const shown = Array.isArray(raw) && typeof i.path[1] === 'number' ? raw[i.path[1]] : raw;
      return `  --${kebab(key)}: ${i.message}${shown === undefined ? '' : ` (got ${JSON.stringify(shown)})`}`;
    })
    .join('\n');
}
