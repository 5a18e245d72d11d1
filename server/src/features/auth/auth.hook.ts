/** HTTP authentication: `requireUser` verifies the bearer token and puts its claims on `request.user`. */

import type { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import type { Role } from '@lc/contracts/ids';
import type { FastifyRequest } from 'fastify';
import { bearer, type Tokens } from './tokens';

declare module 'fastify' {
  interface FastifyRequest {
    user?: TokenClaims;
  }
}

export function authHooks(tokens: Tokens) {
  const requireUser = async (req: FastifyRequest) => {
    req.user = await tokens.verify(bearer(req.headers.authorization));
  };
  /** Account role check (e.g. only host accounts create lives); per-live ownership is the service's job. */
  const requireRole =
    (...roles: Role[]) =>
    async (req: FastifyRequest) => {
      await requireUser(req);
      if (!roles.includes(req.user!.role))
        throw new AppError('FORBIDDEN', `requires role ${roles.join(' or ')}`);
    };
  return { requireUser, requireRole };
}
export type AuthHooks = ReturnType<typeof authHooks>;
