/** Live REST routes: hosts create/start/end; anyone lists and reads; the room snapshot for late viewers. */

import { CreateLiveBody, ListLivesQuery, Live, LiveParams } from '@lc/contracts/live.schema';
import { RoomSnapshot } from '@lc/contracts/room.schema';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { App } from '../../http/fastify';
import type { JoinHooks } from '../../realtime/join-hooks';
import type { Snapshots } from '../../realtime/snapshot';
import type { LivesService } from './lives.service';

export function livesRoutes(
  app: App,
  deps: { lives: LivesService; snapshots: Snapshots; joinHooks?: JoinHooks },
) {
  const tags = ['lives'];
  const security = [{ bearer: [] }];
  const { lives } = deps;
  app.post(
    '/api/lives',
    {
      schema: {
        tags,
        security,
        summary: 'Create a live (host accounts)',
        body: CreateLiveBody,
        response: { 201: Live },
      },
      config: { access: 'host-account' },
    },
    async (req, reply) => reply.code(201).send(await lives.create(req.user!, req.body)),
  );
  app.get(
    '/api/lives',
    {
      schema: {
        tags,
        summary: 'List lives, newest first',
        querystring: ListLivesQuery,
        response: { 200: z.object({ lives: z.array(Live) }) },
      },
    },
    async (req) => ({ lives: await lives.list(req.query) }),
  );
  app.get(
    '/api/lives/:liveId',
    { schema: { tags, summary: 'One live', params: LiveParams, response: { 200: Live } } },
    async (req) => lives.get(req.params.liveId),
  );
  app.get(
    '/api/lives/:liveId/snapshot',
    {
      schema: {
        tags,
        security,
        summary: "The room snapshot as the caller's role sees it",
        description:
          'Answers an ETag; with If-None-Match holding it, 304 Not Modified (no body) while the snapshot is unchanged.',
        params: LiveParams,
        response: { 200: RoomSnapshot },
      },
      config: { access: 'user' },
    },
    async (req, reply) => {
      const { live, role } = await lives.roleIn(req.user!, req.params.liveId);
      await deps.joinHooks?.check({ user: req.user!, live, role });
      // NOTE: JSON text built from the room's cached parts: Fastify sends a string with a JSON content type
      // as it is (the schema above documents it; the snapshot module checks the shared part once per seq).
      const { json, etag } = await deps.snapshots.buildJson(live.id, req.user!, role);
      // NOTE: private: the snapshot is the caller's own view. A poller that sends back the tag it holds gets
      // 304 only while nothing in it but `serverTime` would differ (the tag digests all the rest).
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (ifNoneMatch(req.headers['if-none-match'], etag)) {
        // NOTE: no payload at all: a serialized one would leave a Content-Length on the 304 (no body follows),
        // which stalls clients that trust it on a kept-alive connection.
        return (reply as unknown as FastifyReply).code(304).removeHeader('content-type').send();
      }
      return reply.type('application/json; charset=utf-8').send(json as unknown as RoomSnapshot);
    },
  );
  app.post(
    '/api/lives/:liveId/start',
    {
      schema: {
        tags,
        security,
        summary: 'Go live (host of this live)',
        params: LiveParams,
        response: { 200: Live },
      },
      config: { access: 'live-host' },
    },
    async (req) => lives.start(req.user!, req.params.liveId),
  );
  app.post(
    '/api/lives/:liveId/end',
    {
      schema: {
        tags,
        security,
        summary: 'End the live (host of this live); idempotent',
        params: LiveParams,
        response: { 200: Live },
      },
      config: { access: 'live-host' },
    },
    async (req) => lives.end(req.user!, req.params.liveId),
  );
}

/** `If-None-Match` holds `etag` (a list of tags, weak or strong, or `*`). */
function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === etag || tag === `W/${etag}`;
  });
}
