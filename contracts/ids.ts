import { z } from 'zod';

/** Ids are opaque strings; branded so a LiveId is never passed where a UserId belongs. */
export const UserId = z.string().min(1).max(64).brand<'UserId'>();
export type UserId = z.infer<typeof UserId>;
export const LiveId = z.string().uuid().brand<'LiveId'>();
export type LiveId = z.infer<typeof LiveId>;

export const Role = z.enum(['host', 'moderator', 'viewer']);
export type Role = z.infer<typeof Role>;
