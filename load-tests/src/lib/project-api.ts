/**
 * The project's REST API as the kit uses it to set a scenario up: a host account, a started live, guest tokens
 * for viewers, the room snapshot. Response shapes are parsed with the shared contracts, so a contract change
 * breaks the kit's typecheck or its smoke test, not a benchmark run.
 */
import { randomBytes } from 'node:crypto';
import { AuthResponse } from '@lc/contracts/auth.schema';
import { Live } from '@lc/contracts/live.schema';
import { RoomSnapshot } from '@lc/contracts/room.schema';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function request(base: string, method: string, path: string, body?: unknown, token?: string) {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new ApiError(`${method} ${base}${path} failed: ${cause}`);
  }
  const text = await res.text();
  if (res.status === 429 && path.startsWith('/api/auth/')) {
    throw new ApiError(
      `${method} ${path} answered 429 RATE_LIMITED: the server allows AUTH_RATE_LIMIT_PER_MIN sign-ups per minute ` +
        'per IP, and every simulated viewer is a guest. Start the server for load tests with ' +
        'AUTH_RATE_LIMIT_PER_MIN=100000 (e.g. `AUTH_RATE_LIMIT_PER_MIN=100000 npm start`), or use --spawn.',
      429,
    );
  }
  if (res.status >= 400) {
    throw new ApiError(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`, res.status);
  }
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** Fails with a message saying how to get a server when nothing healthy answers at `base`. */
export async function assertReady(base: string): Promise<void> {
  try {
    const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200)
      throw new ApiError(`${base}/readyz answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(
      `no server answers at ${base} (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}). ` +
        'Start one with `npm start` (command A), pass --url, or let the kit start its own with --spawn.',
    );
  }
}

/** A fresh host account and a live it has started: every run gets its own room. */
export async function hostWithLive(base: string, title = 'load test') {
  const name = `load_${randomBytes(5).toString('hex')}`;
  const host = AuthResponse.parse(
    await request(base, 'POST', '/api/auth/register', {
      username: name,
      password: randomBytes(12).toString('hex'),
      displayName: name,
    }),
  );
  const live = Live.parse(await request(base, 'POST', '/api/lives', { title }, host.token));
  await request(base, 'POST', `/api/lives/${live.id}/start`, undefined, host.token);
  return { hostToken: host.token, liveId: live.id };
}

/** `n` distinct guest viewers (one user each, so presence counts them apart). */
export async function guestTokens(
  base: string,
  n: number,
  opts: { concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<string[]> {
  const tokens = new Array<string>(n);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const r = AuthResponse.parse(
        await request(base, 'POST', '/api/auth/guest', { displayName: `viewer${i}` }),
      );
      tokens[i] = r.token;
      opts.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, opts.concurrency ?? 32) }, worker));
  return tokens;
}

export async function roomSnapshot(base: string, liveId: string, token: string): Promise<RoomSnapshot> {
  return RoomSnapshot.parse(await request(base, 'GET', `/api/lives/${liveId}/snapshot`, undefined, token));
}
