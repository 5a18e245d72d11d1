import { z } from 'zod';
import { Role, UserId } from './ids';
import { plainText } from './text';

const Username = z
  .string()
  .trim()
  .min(3)
  .max(32)
  .regex(/^[a-zA-Z0-9_.-]+$/, 'letters, digits, _ . - only');
export const DISPLAY_NAME_MAX_CHARS = 32;
/**
 * Display names are shown to others as text: the shared text rules, counted in code points (CJK and emoji safe).
 * The server also refuses names that imitate a role the account does not hold (./display-name).
 */
export const DisplayName = plainText(DISPLAY_NAME_MAX_CHARS);

/**
 * A device id the client keeps (localStorage) and sends when it starts a guest session; the server mints one
 * when it is missing. Bans bind to it as well as to the user id (a new guest token keeps the device id).
 */
export const DeviceId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, '16-64 characters: letters, digits, _ -');

export const RegisterBody = z.object({
  username: Username,
  password: z.string().min(8).max(200),
  displayName: DisplayName,
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.object({ username: Username, password: z.string().min(1).max(200) });
export type LoginBody = z.infer<typeof LoginBody>;

export const GuestBody = z.object({ displayName: DisplayName, deviceId: DeviceId.optional() });
export type GuestBody = z.infer<typeof GuestBody>;

/** Claims carried by a signed token (`dev`: the device id, guests only). */
export const TokenClaims = z.object({ sub: UserId, name: z.string(), role: Role, dev: DeviceId.optional() });
export type TokenClaims = z.infer<typeof TokenClaims>;

export const AuthResponse = z.object({
  token: z.string(),
  user: z.object({ id: z.string(), displayName: z.string(), role: Role }),
  expiresAt: z.string(),
  /** Guests: the device id to keep and send with the next guest session. */
  deviceId: DeviceId.optional(),
});
export type AuthResponse = z.infer<typeof AuthResponse>;
