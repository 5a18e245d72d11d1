-- 003_moderation: the audit trail of moderation actions (who did what to whom, when), listable by the host.
CREATE TABLE moderation_actions (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  live_id           uuid NOT NULL REFERENCES lives (id),
  actor_id          text NOT NULL,
  actor_name        text NOT NULL,
  action            text NOT NULL,
  target_user_id    text,
  target_comment_id text,
  detail            jsonb NOT NULL DEFAULT '{}'::jsonb,
  at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX moderation_actions_live_idx ON moderation_actions (live_id, id DESC);
