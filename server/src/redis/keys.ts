/**
 * Every Redis key the project uses is built here. Keys of one live share the `{live:<id>}` hash tag so a
 * Lua script touching several of them stays on one Redis Cluster slot.
 *
 * | key                                  | type        | holds                                          |
 * |--------------------------------------|-------------|------------------------------------------------|
 * | <p>:{live:<id>}:seq                  | string      | last room seq (INCR)                           |
 * | <p>:{live:<id>}:log                  | stream      | room event log, entry id `<seq>-0`, capped     |
 * | <p>:{live:<id>}:conns                | hash        | userId → open connection count                 |
 * | <p>:{live:<id>}:online               | string      | users with ≥ 1 connection                      |
 * | <p>:{live:<id>}:peak                 | string      | highest `online` seen                          |
 * | <p>:{live:<id>}:viewers              | set         | every user id that joined (exact unique count) |
 * | <p>:{live:<id>}:joins:<minute>       | string      | joins in that epoch minute (expires)           |
 * | <p>:{live:<id>}:leaves:<minute>      | string      | leaves in that epoch minute (expires)          |
 * | <p>:{live:<id>}:node:<nodeId>        | hash        | userId → connections held by that node         |
 * | <p>:{live:<id>}:status               | string      | cached live status (scheduled/live/ended)      |
 */
export function createKeys(prefix: string) {
  const live = (liveId: string) => `${prefix}:{live:${liveId}}`;
  return {
    prefix,
    seq: (liveId: string) => `${live(liveId)}:seq`,
    log: (liveId: string) => `${live(liveId)}:log`,
    conns: (liveId: string) => `${live(liveId)}:conns`,
    online: (liveId: string) => `${live(liveId)}:online`,
    peak: (liveId: string) => `${live(liveId)}:peak`,
    uniqueViewers: (liveId: string) => `${live(liveId)}:viewers`,
    joins: (liveId: string, minute: number) => `${live(liveId)}:joins:${minute}`,
    leaves: (liveId: string, minute: number) => `${live(liveId)}:leaves:${minute}`,
    nodeConns: (liveId: string, nodeId: string) => `${live(liveId)}:node:${nodeId}`,
    status: (liveId: string) => `${live(liveId)}:status`,
    /** Prefix for BullMQ queues (BullMQ builds its own keys below it). */
    bullPrefix: `${prefix}:bull`,
    /** Socket.IO Redis adapter channel prefix. */
    adapterChannel: `${prefix}:sio`,
  };
}
export type Keys = ReturnType<typeof createKeys>;
