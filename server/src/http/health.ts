/**
 * Liveness (GET /healthz: the process answers) and readiness (GET /readyz: every dependency check passes
 * within a timeout). Load balancers route to a node only while /readyz is 200.
 */
import { type CheckResult, LivenessResponse, ReadinessResponse } from '@lc/contracts/health.schema';
import type { App } from './fastify';

export type HealthCheck = () => Promise<unknown>;

export interface HealthOptions {
  /** Named dependency checks, e.g. `{ redis: () => redis.ping(), ledger: ..., media: () => pool.stats() }`. */
  checks: Record<string, HealthCheck>;
  /** Per-check timeout; a check still pending after it counts as failed. Default 2000 ms. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 2000;

export function registerHealthRoutes(app: App, opts: HealthOptions): void {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  // NOTE: logLevel 'warn' keeps probe traffic (every few seconds per node) out of the info-level request log.
  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up',
        response: { 200: LivenessResponse },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Readiness: every dependency check passed',
        response: { 200: ReadinessResponse, 503: ReadinessResponse },
      },
    },
    async (request, reply) => {
      const result = await runChecks(opts.checks, timeoutMs);
      if (result.status === 'ready') return reply.code(200).send(result);
      const failing = Object.entries(result.checks).filter(([, c]) => !c.ok);
      request.log.warn({ failing: Object.fromEntries(failing) }, 'not ready');
      return reply.code(503).send(result);
    },
  );
}

/** Runs every check in parallel, each bounded by `timeoutMs`. */
export async function runChecks(
  checks: Record<string, HealthCheck>,
  timeoutMs: number,
): Promise<ReadinessResponse> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
  );
  return {
    status: entries.every(([, r]) => r.ok) ? 'ready' : 'unready',
    checks: Object.fromEntries(entries),
  };
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // new Promise(...) also turns a synchronous throw inside `check` into a rejection.
    const value = await Promise.race([new Promise((resolve) => resolve(check())), timeout]);
    return isPlainObject(value) ? { ok: true, ms: elapsed(), info: value } : { ok: true, ms: elapsed() };
  } catch (err) {
    return { ok: false, ms: elapsed(), error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
