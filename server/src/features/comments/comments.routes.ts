/** REST for staff: keyword lists (large, so not over the socket) and the review queue. */

import { Comment, KeywordList, KeywordListBody, KeywordListParams } from '@lc/contracts/comment.schema';
import { LiveParams } from '@lc/contracts/live.schema';
import { z } from 'zod';
import type { App } from '../../http/fastify';
import type { CommentReview } from './comment-review.service';
import type { KeywordAdmin } from './keyword-admin.service';

export function commentsRoutes(app: App, deps: { keywordAdmin: KeywordAdmin; review: CommentReview }) {
  const tags = ['comments'];
  const security = [{ bearer: [] }];
  const { keywordAdmin, review } = deps;

  app.get(
    '/api/lives/:liveId/keywords',
    {
      schema: {
        tags,
        security,
        summary: 'Keyword lists of the live (host, moderators)',
        params: LiveParams,
        response: { 200: z.object({ lists: z.array(KeywordList) }) },
      },
      config: { access: 'live-staff' },
    },
    async (req) => ({ lists: await keywordAdmin.lists(req.params.liveId) }),
  );
  app.put(
    '/api/lives/:liveId/keywords/:name',
    {
      schema: {
        tags,
        security,
        summary: 'Create or replace a keyword list: block, mask or hold matching comments',
        params: KeywordListParams,
        body: KeywordListBody,
        response: { 200: KeywordList },
      },
      bodyLimit: 4 * 1024 * 1024,
      config: { access: 'live-staff' },
    },
    async (req) => keywordAdmin.put(req.user!, req.params.liveId, req.params.name, req.body),
  );
  app.delete(
    '/api/lives/:liveId/keywords/:name',
    {
      schema: {
        tags,
        security,
        summary: 'Remove a keyword list',
        params: KeywordListParams,
        response: { 200: z.object({ removed: z.boolean() }) },
      },
      config: { access: 'live-staff' },
    },
    async (req) => keywordAdmin.remove(req.user!, req.params.liveId, req.params.name),
  );
  app.get(
    '/api/lives/:liveId/comments/held',
    {
      schema: {
        tags,
        security,
        summary: 'Comments held for review (host, moderators)',
        params: LiveParams,
        response: { 200: z.object({ comments: z.array(Comment) }) },
      },
      config: { access: 'live-staff' },
    },
    async (req) => ({ comments: await review.held(req.params.liveId) }),
  );
}
