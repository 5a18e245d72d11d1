import { z } from 'zod';
import { Role, UserId } from './ids';

const Username = z
  .string()
  .trim()
  .min(3)
  .max(32)
  .regex(/^[a-zA-Z0-9_.-]+$/, 'letters, digits, _ . - only');
/** Display names are shown to others as text; counted in code points (CJK and emoji safe). */
export const DisplayName = z
  .string()
  .trim()
  .refine((s) => [...s].length >= 1 && [...s].length <= 32, 'between 1 and 32 characters');

export const RegisterBody = z.object({
  username: Username,
  password: z.string().min(8).max(200),
  displayName: DisplayName,
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.object({ username: Username, password: z.string().min(1).max(200) });
export type LoginBody = z.infer<typeof LoginBody>;

export const GuestBody = z.object({ displayName: DisplayName });
export type GuestBody = z.infer<typeof GuestBody>;

/** Claims carried by a signed token. */
export const TokenClaims = z.object({ sub: UserId, name: z.string(), role: Role });
export type TokenClaims = z.infer<typeof TokenClaims>;

export const AuthResponse = z.object({
  token: z.string(),
  user: z.object({ id: z.string(), displayName: z.string(), role: Role }),
  expiresAt: z.string(),
});
export type AuthResponse = z.infer<typeof AuthResponse>;
