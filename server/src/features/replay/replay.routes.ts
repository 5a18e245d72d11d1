/**
 * REST for replays: the host's recordings, one recording (metadata + chapters), its HLS playlist and files, and
 * publish/unpublish/delete. Playback routes take an optional token: a published recording is public; an
 * unpublished one answers RECORDING_NOT_PUBLISHED to anyone but the live's host and moderators.
 */
import { createReadStream } from 'node:fs';
import type { TokenClaims } from '@lc/contracts/auth.schema';
import { LiveParams } from '@lc/contracts/live.schema';
import {
  PublishBody,
  Recording,
  RecordingFileParams,
  ReplayCommentsPage,
  ReplayCommentsQuery,
} from '@lc/contracts/replay.schema';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/fastify';
import { bearer, type Tokens } from '../auth/tokens';
import type { ReplayService } from './replay.service';

const tags = ['replay'];
const security = [{ bearer: [] }];

export function replayRoutes(app: App, deps: { replay: ReplayService; tokens: Tokens }) {
  const { replay } = deps;
  /** NOTE: a bad token is refused (401) rather than treated as anonymous, so a client learns its token expired. */
  const caller = async (req: FastifyRequest): Promise<TokenClaims | undefined> => {
    const token = bearer(req.headers.authorization);
    return token ? deps.tokens.verify(token) : undefined;
  };

  app.get(
    '/api/recordings',
    {
      schema: {
        tags,
        security,
        summary: 'Recordings of the caller’s lives',
        response: { 200: z.object({ recordings: z.array(Recording) }) },
      },
      config: { access: 'host-account' },
    },
    async (req) => ({ recordings: await replay.list(req.user!.sub) }),
  );
  app.get(
    '/api/lives/:liveId/recording',
    {
      schema: {
        tags,
        security,
        summary: 'A live’s recording: size, length, gaps, chapters',
        params: LiveParams,
        response: { 200: Recording },
      },
    },
    async (req) => replay.get(req.params.liveId, await caller(req)),
  );
  app.get(
    '/api/lives/:liveId/recording/comments',
    {
      schema: {
        tags,
        security,
        summary: 'The live’s comments with their offsets in the recording (read-only, paged by seq)',
        params: LiveParams,
        querystring: ReplayCommentsQuery,
        response: { 200: ReplayCommentsPage },
      },
    },
    async (req) => replay.comments(req.params.liveId, await caller(req), req.query),
  );
  app.get(
    '/api/lives/:liveId/recording/index.m3u8',
    { schema: { tags, security, summary: 'The recording as one HLS playlist', params: LiveParams } },
    async (req, reply) => {
      const text = await replay.playlist(req.params.liveId, await caller(req));
      return reply.type('application/vnd.apple.mpegurl').header('cache-control', 'no-cache').send(text);
    },
  );
  app.get(
    '/api/lives/:liveId/recording/:file',
    {
      schema: {
        tags,
        security,
        summary: 'A file of the recording (init or media segment)',
        params: RecordingFileParams,
      },
    },
    async (req, reply) => {
      const { path, size } = await replay.file(req.params.liveId, req.params.file, await caller(req));
      return reply
        .type(req.params.file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp4')
        .header('content-length', size)
        .header('cache-control', 'private, max-age=3600')
        .send(createReadStream(path));
    },
  );
  app.post(
    '/api/lives/:liveId/recording/publish',
    {
      schema: {
        tags,
        security,
        summary: 'Publish or unpublish the recording (its host)',
        params: LiveParams,
        body: PublishBody,
        response: { 200: Recording },
      },
      config: { access: 'live-host' },
    },
    async (req) => replay.publish(req.params.liveId, req.body.published),
  );
  app.delete(
    '/api/lives/:liveId/recording',
    {
      schema: {
        tags,
        security,
        summary: 'Delete the recording and its files (its host)',
        params: LiveParams,
      },
      config: { access: 'live-host' },
    },
    async (req, reply) => {
      await replay.remove(req.params.liveId);
      return reply.code(204).send();
    },
  );
}
