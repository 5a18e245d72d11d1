/** Accounts and sessions: hosts register and log in; viewers join as named guests (not stored). */
import { randomUUID } from 'node:crypto';
import type {
  AuthResponse,
  GuestBody,
  LoginBody,
  RegisterBody,
  TokenClaims,
} from '@lc/contracts/auth.schema';
import { imitatedRole } from '@lc/contracts/display-name';
import { AppError } from '@lc/contracts/errors';
import type { Role, UserId } from '@lc/contracts/ids';
import { hash, verify } from '@node-rs/argon2';
import type { createUsersRepo } from '../../ledger/users.repo';
import type { Tokens } from './tokens';

type UsersRepo = ReturnType<typeof createUsersRepo>;

// NOTE: a fixed hash to verify against when the user doesn't exist, so timing doesn't reveal usernames.
let dummyHash: Promise<string> | undefined;

/** @throws NAME_RESERVED when the name passes itself off as a role the account will not hold. */
function checkName(displayName: string, role: Role): void {
  const imitated = imitatedRole(displayName);
  if (imitated && imitated !== role) {
    throw new AppError('NAME_RESERVED', `a ${imitated} name is reserved for the ${imitated}`, {
      role: imitated,
    });
  }
}

export function createAuthService(deps: { users: UsersRepo; tokens: Tokens }) {
  const issue = async (claims: TokenClaims): Promise<AuthResponse> => {
    const { token, expiresAt } = await deps.tokens.sign(claims);
    return {
      token,
      user: { id: claims.sub, displayName: claims.name, role: claims.role },
      expiresAt: expiresAt.toISOString(),
    };
  };
  return {
    /** Registers a host account. @throws USERNAME_TAKEN, NAME_RESERVED */
    async register(body: RegisterBody): Promise<AuthResponse> {
      checkName(body.displayName, 'host');
      const id = `u_${randomUUID()}`;
      const passwordHash = await hash(body.password);
      await deps.users.insert({
        id,
        username: body.username.toLowerCase(),
        displayName: body.displayName,
        passwordHash,
        role: 'host',
      });
      return issue({ sub: id as UserId, name: body.displayName, role: 'host' });
    },
    /** @throws INVALID_CREDENTIALS */
    async login(body: LoginBody): Promise<AuthResponse> {
      const user = await deps.users.findByUsername(body.username.toLowerCase());
      dummyHash ??= hash('not-a-real-password');
      const ok = await verify(user?.passwordHash ?? (await dummyHash), body.password).catch(() => false);
      if (!user?.passwordHash || !ok) throw new AppError('INVALID_CREDENTIALS', 'wrong username or password');
      return issue({ sub: user.id as UserId, name: user.displayName, role: user.role });
    },
    /**
     * A viewer session with a fresh guest id. The device id the client sent is kept (or one is minted) and
     * carried in the token, so a ban can follow the device to its next guest session.
     * @throws NAME_RESERVED
     */
    async guest(body: GuestBody): Promise<AuthResponse> {
      checkName(body.displayName, 'viewer');
      const dev = body.deviceId ?? randomUUID().replaceAll('-', '');
      const res = await issue({
        sub: `g_${randomUUID()}` as UserId,
        name: body.displayName,
        role: 'viewer',
        dev,
      });
      return { ...res, deviceId: dev };
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
