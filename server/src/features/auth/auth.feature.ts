/** Auth: host accounts (register, login), guest viewer sessions, `me`. Tokens and route access (access.ts) are the app's core. */
import { defineFeature } from '../../composition/feature';
import { createUsersRepo } from '../../ledger/users.repo';
import { authRoutes } from './auth.routes';
import { type AuthService, createAuthService } from './auth.service';

declare module '../../composition/services' {
  interface Services {
    auth: AuthService;
  }
}

export const authFeature = defineFeature({
  name: 'auth',
  api(ctx) {
    const auth = createAuthService({ users: createUsersRepo(ctx.db), tokens: ctx.tokens });
    authRoutes(ctx.app, { auth, perMinute: ctx.config.AUTH_RATE_LIMIT_PER_MIN });
    ctx.provide('auth', auth);
  },
});
