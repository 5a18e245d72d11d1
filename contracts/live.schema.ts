import { z } from 'zod';
import { plainText } from './text';

export const LiveStatus = z.enum(['scheduled', 'live', 'ended']);
export type LiveStatus = z.infer<typeof LiveStatus>;

export const Live = z.object({
  id: z.string().uuid(),
  hostId: z.string(),
  hostName: z.string(),
  title: z.string(),
  status: LiveStatus,
  scheduledAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Live = z.infer<typeof Live>;

export const CreateLiveBody = z.object({
  title: plainText(120),
  scheduledAt: z.iso.datetime({ offset: true }).optional(),
});
export type CreateLiveBody = z.infer<typeof CreateLiveBody>;

export const LiveParams = z.object({ liveId: z.string().uuid() });
export const ListLivesQuery = z.object({
  status: LiveStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
