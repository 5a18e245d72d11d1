/**
 * Join hooks: features refuse a join (a ban) or act on one (staff rooms, share attribution) without the lives
 * feature knowing them. Guards run before the socket joins the room (and before a REST snapshot is served);
 * `after` hooks run once the socket is in the room, in registration order; a failing after-hook is reported,
 * never fails the join.
 */
import type { TokenClaims } from '@lc/contracts/auth.schema';
import type { Role } from '@lc/contracts/ids';
import type { Live } from '@lc/contracts/live.schema';
import type { AppSocket } from './types';

export interface JoinContext {
  user: TokenClaims;
  live: Live;
  role: Role;
  /** Absent for REST reads of the snapshot. */
  socket?: AppSocket;
  /** Share code the client came through (`?ref=` of a share link). */
  ref?: string;
}

export type JoinGuard = (ctx: JoinContext) => Promise<void>;
export type JoinAfter = (ctx: JoinContext & { socket: AppSocket }) => Promise<void>;

export function createJoinHooks(opts: { onError?: (err: unknown, hook: string) => void } = {}) {
  const guards = new Map<string, JoinGuard>();
  const afters = new Map<string, JoinAfter>();
  return {
    /** A guard throws an AppError (e.g. BANNED) to refuse the join. */
    guard(name: string, fn: JoinGuard) {
      if (guards.has(name)) throw new Error(`join guard ${name} registered twice`);
      guards.set(name, fn);
    },
    after(name: string, fn: JoinAfter) {
      if (afters.has(name)) throw new Error(`join hook ${name} registered twice`);
      afters.set(name, fn);
    },
    async check(ctx: JoinContext): Promise<void> {
      for (const fn of guards.values()) await fn(ctx);
    },
    async joined(ctx: JoinContext & { socket: AppSocket }): Promise<void> {
      for (const [name, fn] of afters) {
        try {
          await fn(ctx);
        } catch (err) {
          opts.onError?.(err, name);
        }
      }
    },
  };
}
export type JoinHooks = ReturnType<typeof createJoinHooks>;
