/**
 * The one wrapper every socket command goes through: validate (zod) → authorize (role in the live) → run →
 * ack `{ok:true,data}` or `{ok:false,error}`. A throw never escapes; a missing ack callback is tolerated.
 * NOTE: for commands restricted to staff or the host, the role is checked before the payload is validated: a
 * caller without the role gets FORBIDDEN whatever it sends (no valid `liveId`: no role), and learns nothing of
 * the command's payload rules. Commands open to viewers validate a missing `liveId` as usual (VALIDATION).
 */

import { AppError, type ErrorBody, isAppError } from '@lc/contracts/errors';
import type { Ack, ClientEventName, ClientToServerEvents } from '@lc/contracts/events';
import type { Role } from '@lc/contracts/ids';
import { z } from 'zod';
import type { AppSocket } from './types';

type AckData<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[1] extends
  | ((res: Ack<infer T>) => void)
  | undefined
  ? T
  : never;

export interface HandlerDeps {
  /** Role of the socket's user in a live (cached per joined room). @throws LIVE_NOT_FOUND */
  roleIn(socket: AppSocket, liveId: string): Promise<Role>;
  onOutcome?(event: string, outcome: 'ok' | 'error', code?: string): void;
  logError?(err: unknown, event: string): void;
}

export interface HandlerSpec<E extends ClientEventName, S extends z.ZodType> {
  event: E;
  schema: S;
  /** When set, the payload's `liveId` names the live and the user's role there must be one of these. */
  roles?: readonly Role[];
  run(ctx: { socket: AppSocket; role: Role | null }, payload: z.infer<S>): Promise<AckData<E>>;
}

export interface BoundHandler {
  event: ClientEventName;
  roles?: readonly Role[];
  /** Runs the command for one incoming event (`args` as Socket.IO passes them: payload, then the ack). */
  handle(socket: AppSocket, deps: HandlerDeps, args: unknown[]): Promise<void>;
}

/**
 * One listener for every command, shared by all sockets (`socket.onAny`): per-socket listeners and closures
 * for each of the ~50 commands cost memory on every connection. Unknown events are ignored, as before.
 */
export function createDispatcher(handlers: BoundHandler[], deps: HandlerDeps) {
  const byEvent = new Map<string, BoundHandler>(handlers.map((h) => [h.event, h]));
  if (byEvent.size !== handlers.length) throw new Error('two socket handlers for one event');
  return function dispatch(this: AppSocket, event: string, ...args: unknown[]): void {
    void byEvent.get(event)?.handle(this, deps, args);
  };
}

export function defineHandler<E extends ClientEventName, S extends z.ZodType>(
  spec: HandlerSpec<E, S>,
): BoundHandler {
  return {
    event: spec.event,
    roles: spec.roles,
    async handle(socket, deps, args) {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (r: unknown) => void) : undefined;
      const raw = ack ? (args.length > 1 ? args[0] : undefined) : args[0];
      const reply = (res: Ack<unknown>) => {
        try {
          ack?.(res);
        } catch {
          /* a client callback can't break the server */
        }
      };
      try {
        let role: Role | null = null;
        if (spec.roles) {
          const forbidden = () =>
            new AppError('FORBIDDEN', `${spec.event} requires role ${spec.roles!.join(' or ')}`);
          const gated = !spec.roles.includes('viewer');
          // NOTE: only host accounts create lives, so host-only commands refuse other accounts without a lookup.
          if (gated && !spec.roles.includes('moderator') && socket.data.user.role !== 'host')
            throw forbidden();
          const scoped = LiveScoped.safeParse(raw);
          if (!scoped.success && gated) throw forbidden();
          role = await deps.roleIn(socket, validate(LiveScoped, raw).liveId);
          if (!spec.roles.includes(role)) throw forbidden();
        }
        const data = await spec.run({ socket, role }, validate(spec.schema, raw));
        deps.onOutcome?.(spec.event, 'ok');
        reply({ ok: true, data });
      } catch (err) {
        const body = toErrorBody(err);
        if (body.code === 'INTERNAL') deps.logError?.(err, spec.event);
        deps.onOutcome?.(spec.event, 'error', body.code);
        reply({ ok: false, error: body });
      }
    },
  };
}

/** Every live-scoped payload names its live by UUID. */
const LiveScoped = z.object({ liveId: z.string().uuid() });

function validate<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(
      'VALIDATION',
      'invalid payload',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

export function toErrorBody(err: unknown): ErrorBody {
  if (isAppError(err)) {
    return err.details === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, details: err.details };
  }
  return { code: 'INTERNAL', message: 'Internal server error' };
}
