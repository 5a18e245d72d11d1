/** Lives and their lifecycle record (`lives`, `live_transitions`): every status change is one ledger row. */
import { AppError } from '@lc/contracts/errors';
import type { Live, LiveStatus } from '@lc/contracts/live.schema';
import { type Db, type Queryable, sqlState } from './db';

export interface NewLive {
  id: string;
  hostId: string;
  title: string;
  scheduledAt?: Date | null;
}

export interface TransitionInput {
  liveId: string;
  /** Statuses the live may be in for the change to apply. */
  from: LiveStatus[];
  to: LiveStatus;
  actorId: string;
  /** Recorded as the transition time and as `startedAt` / `endedAt`. */
  at: Date;
}

export interface LiveTransition {
  /** bigint identity, as a string (see the type rule in db.ts). */
  id: string;
  liveId: string;
  /** null for the row recording the live's creation. */
  fromStatus: LiveStatus | null;
  toStatus: LiveStatus;
  actorId: string;
  at: string;
}

interface LiveRow {
  id: string;
  host_id: string;
  host_name: string;
  title: string;
  status: LiveStatus;
  scheduled_at: Date | null;
  started_at: Date | null;
  ended_at: Date | null;
  created_at: Date;
}

interface TransitionRow {
  id: string;
  live_id: string;
  from_status: LiveStatus | null;
  to_status: LiveStatus;
  actor_id: string;
  at: Date;
}

const SELECT_LIVE = `SELECT l.id, l.host_id, u.display_name AS host_name, l.title, l.status,
  l.scheduled_at, l.started_at, l.ended_at, l.created_at
  FROM lives l JOIN users u ON u.id = l.host_id`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNIQUE_VIOLATION = '23505';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const toLive = (r: LiveRow): Live => ({
  id: r.id,
  hostId: r.host_id,
  hostName: r.host_name,
  title: r.title,
  status: r.status,
  scheduledAt: iso(r.scheduled_at),
  startedAt: iso(r.started_at),
  endedAt: iso(r.ended_at),
  createdAt: r.created_at.toISOString(),
});

async function selectLive(q: Queryable, id: string): Promise<Live | null> {
  // Not a uuid → cannot exist; checked here so Postgres never sees a malformed uuid (22P02).
  if (!UUID.test(id)) return null;
  const { rows } = await q.query<LiveRow>(`${SELECT_LIVE} WHERE l.id = $1`, [id]);
  return rows[0] ? toLive(rows[0]) : null;
}

export function createLivesRepo(db: Db) {
  return {
    /** Creates a scheduled live and records its creation (from NULL to 'scheduled', by the host). */
    insert(live: NewLive): Promise<Live> {
      return db.tx(async (q) => {
        await q.query(
          `INSERT INTO lives (id, host_id, title, status, scheduled_at) VALUES ($1, $2, $3, 'scheduled', $4)`,
          [live.id, live.hostId, live.title, live.scheduledAt ?? null],
        );
        await q.query(
          `INSERT INTO live_transitions (live_id, from_status, to_status, actor_id) VALUES ($1, NULL, 'scheduled', $2)`,
          [live.id, live.hostId],
        );
        return (await selectLive(q, live.id))!;
      });
    },

    findById: (id: string) => selectLive(db, id),

    /** Newest first, optionally one status only. */
    async list(opts: { status?: LiveStatus; limit: number }): Promise<Live[]> {
      const { rows } = await db.query<LiveRow>(
        `${SELECT_LIVE} WHERE ($1::text IS NULL OR l.status = $1::text)
         ORDER BY l.created_at DESC, l.id DESC LIMIT $2`,
        [opts.status ?? null, opts.limit],
      );
      return rows.map(toLive);
    },

    /**
     * Moves a live from one of `from` to `to` and records the transition, in one transaction.
     * Already in `to` → `{ changed: false }` and nothing is written (ending twice is a no-op).
     * @throws LIVE_NOT_FOUND, INVALID_TRANSITION (current status neither `to` nor in `from`)
     */
    async transition(t: TransitionInput): Promise<{ live: Live; changed: boolean }> {
      if (!UUID.test(t.liveId)) throw new AppError('LIVE_NOT_FOUND', `live ${t.liveId} not found`);
      return db.tx(async (q) => {
        // NOTE: FOR UPDATE serializes concurrent transitions of one live; a waiter then reads the committed
        // status, so of N concurrent identical calls exactly one changes it and the rest see `to`.
        const cur = await q.query<{ status: LiveStatus }>(
          'SELECT status FROM lives WHERE id = $1 FOR UPDATE',
          [t.liveId],
        );
        const status = cur.rows[0]?.status;
        if (!status) throw new AppError('LIVE_NOT_FOUND', `live ${t.liveId} not found`);
        if (status !== t.to) {
          if (!t.from.includes(status)) {
            throw new AppError('INVALID_TRANSITION', `cannot go from ${status} to ${t.to}`);
          }
          await applyTransition(q, t, status);
        }
        return { live: (await selectLive(q, t.liveId))!, changed: status !== t.to };
      });
    },

    /** The live's lifecycle in order, creation first. */
    async listTransitions(liveId: string): Promise<LiveTransition[]> {
      if (!UUID.test(liveId)) return [];
      const { rows } = await db.query<TransitionRow>(
        `SELECT id, live_id, from_status, to_status, actor_id, at FROM live_transitions
         WHERE live_id = $1 ORDER BY id`,
        [liveId],
      );
      return rows.map((r) => ({
        id: r.id,
        liveId: r.live_id,
        fromStatus: r.from_status,
        toStatus: r.to_status,
        actorId: r.actor_id,
        at: r.at.toISOString(),
      }));
    },
  };
}
export type LivesRepo = ReturnType<typeof createLivesRepo>;

async function applyTransition(q: Queryable, t: TransitionInput, from: LiveStatus): Promise<void> {
  const updated = await q.query(
    `UPDATE lives SET status = $2::text,
       started_at = CASE WHEN $2::text = 'live' THEN $3::timestamptz ELSE started_at END,
       ended_at = CASE WHEN $2::text = 'ended' THEN $3::timestamptz ELSE ended_at END
     WHERE id = $1 AND status = ANY($4::text[])`,
    [t.liveId, t.to, t.at, t.from],
  );
  if (updated.rowCount !== 1) throw new Error(`live ${t.liveId} changed under its row lock`);
  try {
    await q.query(
      'INSERT INTO live_transitions (live_id, from_status, to_status, actor_id, at) VALUES ($1, $2, $3, $4, $5)',
      [t.liveId, from, t.to, t.actorId, t.at],
    );
  } catch (err) {
    // unique (live_id, to_status): a live never enters the same status twice.
    if (sqlState(err) === UNIQUE_VIOLATION) {
      throw new AppError('INVALID_TRANSITION', `live ${t.liveId} was already ${t.to} once`);
    }
    throw err;
  }
}
