/** Auth routes: register/login for hosts, guest sessions for viewers, `me`. */

import { AuthResponse, GuestBody, LoginBody, RegisterBody, TokenClaims } from '@lc/contracts/auth.schema';
import { z } from 'zod';
import type { App } from '../../http/fastify';
import type { AuthService } from './auth.service';

export function authRoutes(app: App, deps: { auth: AuthService; perMinute: number }) {
  const tags = ['auth'];
  const limited = { rateLimit: { max: deps.perMinute, timeWindow: 60_000 } };
  app.post(
    '/api/auth/register',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Register a host account',
        body: RegisterBody,
        response: { 201: AuthResponse },
      },
    },
    async (req, reply) => reply.code(201).send(await deps.auth.register(req.body)),
  );
  app.post(
    '/api/auth/login',
    {
      config: limited,
      schema: { tags, summary: 'Log in', body: LoginBody, response: { 200: AuthResponse } },
    },
    async (req) => deps.auth.login(req.body),
  );
  app.post(
    '/api/auth/guest',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Start a named guest (viewer) session',
        body: GuestBody,
        response: { 200: AuthResponse },
      },
    },
    async (req) => deps.auth.guest(req.body),
  );
  app.get(
    '/api/me',
    {
      schema: {
        tags,
        summary: 'Who the token belongs to',
        security: [{ bearer: [] }],
        response: { 200: z.object({ user: TokenClaims }) },
      },
      config: { access: 'user' },
    },
    async (req) => ({ user: req.user! }),
  );
}
