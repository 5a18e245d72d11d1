/** Signed bearer tokens (HS256 JWT via jose) carrying user id, display name and role. */

import { TokenClaims } from '@lc/contracts/auth.schema';
import { AppError } from '@lc/contracts/errors';
import { errors, jwtVerify, SignJWT } from 'jose';

export interface Tokens {
  sign(claims: TokenClaims): Promise<{ token: string; expiresAt: Date }>;
  /** @throws AppError UNAUTHENTICATED (missing, malformed, bad signature, expired) */
  verify(token: string | undefined | null): Promise<TokenClaims>;
  /** The claims of a token that already verified and has not expired; undefined otherwise (then call verify). */
  peek(token: string): TokenClaims | undefined;
}

export function createTokens(opts: {
  secret: string;
  ttlSeconds: number;
  issuer?: string;
  now?: () => number;
}): Tokens {
  // NOTE: imported once: with raw bytes jose imports a WebCrypto key on every sign and verify (~40% of a
  // verify's CPU in the join burst profile).
  const key = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(opts.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const issuer = opts.issuer ?? 'live-commerce';
  const now = opts.now ?? Date.now;
  /**
   * Tokens already verified → their claims until they expire. NOTE: the key is the whole signed string, so a
   * hit is exactly a token that verified before; it saves the HMAC check (about 60 µs through WebCrypto, the
   * largest cost of a flash-sale reserve request). Bounded; the oldest entry goes first.
   */
  const verified = new Map<string, { claims: TokenClaims; expMs: number }>();
  const remember = (token: string, claims: TokenClaims, expMs: number) => {
    if (verified.size >= 20_000) verified.delete(verified.keys().next().value!);
    verified.set(token, { claims, expMs });
  };
  return {
    async sign(claims) {
      const iat = Math.floor(now() / 1000);
      const exp = iat + opts.ttlSeconds;
      const token = await new SignJWT({
        name: claims.name,
        role: claims.role,
        ...(claims.dev ? { dev: claims.dev } : {}),
      })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub)
        .setIssuer(issuer)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(await key);
      // NOTE: a token this node just signed is known good: its first use here skips the HMAC check too.
      const { sub, name, role, dev } = claims;
      remember(token, { sub, name, role, ...(dev ? { dev } : {}) }, exp * 1000);
      return { token, expiresAt: new Date(exp * 1000) };
    },
    peek(token) {
      const hit = verified.get(token);
      return hit && hit.expMs > now() ? hit.claims : undefined;
    },
    async verify(token) {
      if (!token) throw new AppError('UNAUTHENTICATED', 'token required');
      const hit = verified.get(token);
      if (hit && hit.expMs > now()) return hit.claims;
      try {
        const { payload } = await jwtVerify(token, await key, {
          issuer,
          algorithms: ['HS256'],
          currentDate: new Date(now()),
        });
        const parsed = TokenClaims.safeParse(payload);
        if (!parsed.success) throw new AppError('UNAUTHENTICATED', 'token claims invalid');
        remember(token, parsed.data, (payload.exp ?? 0) * 1000);
        return parsed.data;
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (err instanceof errors.JWTExpired) throw new AppError('UNAUTHENTICATED', 'token expired');
        throw new AppError('UNAUTHENTICATED', 'token invalid');
      }
    },
  };
}

/** Reads `Authorization: Bearer <token>`. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}
