/**
 * Who may call an HTTP route: declared on the route (`config: { access }`) and checked by one onRequest hook,
 * before the body is parsed or validated. An anonymous caller gets 401 and a caller without the role 403
 * whatever it sends, so neither learns the route's shape from a VALIDATION answer. Services keep their own
 * checks (socket commands call them too).
 */
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import type { Role } from '@lc/contracts/ids';
import { z } from 'zod';
import type { App } from '../../http/fastify';
import { bearer, type Tokens } from './tokens';

/**
 * `user`: any valid token · `host-account`: a host account · `live-host`: the host of the `:liveId` live ·
 * `live-staff`: its host or one of its moderators (appointed ones included).
 */
export type Access = 'user' | 'host-account' | 'live-host' | 'live-staff';

declare module 'fastify' {
  interface FastifyRequest {
    user?: TokenClaims;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export interface AccessRoute {
  method: string;
  url: string;
  access: Access;
}

const LiveIdParam = z.object({ liveId: z.string().uuid() });

export function registerAccess(
  app: App,
  deps: {
    tokens: Tokens;
    /** The caller's role in a live (moderators read fresh). @throws LIVE_NOT_FOUND */
    roleOf(user: TokenClaims, liveId: string): Promise<Role>;
  },
): { routes: AccessRoute[] } {
  const routes: AccessRoute[] = [];
  app.addHook('onRoute', (r) => {
    const access = r.config?.access;
    if (access) for (const method of [r.method].flat()) routes.push({ method, url: r.url, access });
  });
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    if (!access) return;
    const user = await deps.tokens.verify(bearer(req.headers.authorization));
    req.user = user;
    if (access === 'user') return;
    // NOTE: only host accounts create lives, so no other account can host one: refused without a lookup.
    if (access !== 'live-staff' && user.role !== 'host') throw forbidden(access);
    if (access === 'host-account') return;
    const params = LiveIdParam.safeParse(req.params);
    if (!params.success) throw new AppError('LIVE_NOT_FOUND', 'no live with that id');
    const role = await deps.roleOf(user, params.data.liveId);
    if (role === 'host' || (access === 'live-staff' && role === 'moderator')) return;
    throw forbidden(access);
  });
  return { routes };
}

const forbidden = (access: Access) =>
  new AppError(
    'FORBIDDEN',
    access === 'host-account'
      ? 'only host accounts can do that'
      : access === 'live-host'
        ? 'only the host of this live can do that'
        : 'only the host and moderators of this live can do that',
  );
