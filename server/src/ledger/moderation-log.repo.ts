/** The moderation audit trail (`moderation_actions`): one row per action, newest first when listed. */
import type { ModerationAction, ModerationActionType } from '@lc/contracts/moderation.schema';
import type { Queryable } from './db';

export interface NewModerationAction {
  liveId: string;
  actor: { id: string; name: string };
  action: ModerationActionType;
  targetUserId?: string | null;
  targetCommentId?: string | null;
  detail?: Record<string, unknown>;
}

interface Row {
  id: string;
  live_id: string;
  actor_id: string;
  actor_name: string;
  action: ModerationActionType;
  target_user_id: string | null;
  target_comment_id: string | null;
  detail: Record<string, unknown>;
  at: Date;
}

const toAction = (r: Row): ModerationAction => ({
  id: r.id,
  liveId: r.live_id,
  actorId: r.actor_id,
  actorName: r.actor_name,
  action: r.action,
  targetUserId: r.target_user_id,
  targetCommentId: r.target_comment_id,
  detail: r.detail,
  at: r.at.toISOString(),
});

export function createModerationLogRepo(db: Queryable) {
  return {
    async record(a: NewModerationAction): Promise<ModerationAction> {
      const { rows } = await db.query<Row>(
        `INSERT INTO moderation_actions (live_id, actor_id, actor_name, action, target_user_id, target_comment_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING *`,
        [
          a.liveId,
          a.actor.id,
          a.actor.name,
          a.action,
          a.targetUserId ?? null,
          a.targetCommentId ?? null,
          JSON.stringify(a.detail ?? {}),
        ],
      );
      return toAction(rows[0]!);
    },
    /** Newest first; `before` pages by id. */
    async list(liveId: string, opts: { limit: number; before?: number }): Promise<ModerationAction[]> {
      const { rows } = await db.query<Row>(
        `SELECT * FROM moderation_actions WHERE live_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
         ORDER BY id DESC LIMIT $3`,
        [liveId, opts.before ?? null, opts.limit],
      );
      return rows.map(toAction);
    },
  };
}
export type ModerationLogRepo = ReturnType<typeof createModerationLogRepo>;
