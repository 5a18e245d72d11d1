/**
 * A room to load: the project server (a fresh host + started live per round, distinct guest viewers, the final
 * seq and presence read over REST) or the plain Socket.IO baseline (any live id, no auth, its own seq).
 */
import { randomUUID } from 'node:crypto';
import type { Endpoint } from '../lib/processes';
import { guestTokens, hostWithLive, roomSnapshot } from '../lib/project-api';
import type { Side } from '../scenario';

export interface PreparedRoom {
  liveId: string;
  hostToken: string;
  viewerTokens: string[];
}

export interface RoomTarget {
  side: Side;
  endpoint: Endpoint;
  /** A fresh room with `viewers` viewer identities. */
  prepare(viewers: number, onProgress?: (tokens: number) => void): Promise<PreparedRoom>;
  /** The room's last seq once publishing is over (`lastAcked`: the highest seq the publisher was acked). */
  finalSeq(room: PreparedRoom, lastAcked: number): Promise<number>;
  /** Users online in the room, when the target keeps presence. */
  online?(room: PreparedRoom): Promise<number>;
}

export function projectTarget(endpoint: Endpoint): RoomTarget {
  return {
    side: 'project',
    endpoint,
    async prepare(viewers, onProgress) {
      const { hostToken, liveId } = await hostWithLive(endpoint.url);
      const viewerTokens = await guestTokens(endpoint.url, viewers, { onProgress });
      return { liveId, hostToken, viewerTokens };
    },
    async finalSeq(room) {
      return (await roomSnapshot(endpoint.url, room.liveId, room.hostToken)).seq;
    },
    async online(room) {
      return (await roomSnapshot(endpoint.url, room.liveId, room.hostToken)).presence.online;
    },
  };
}

export function plainSocketIoTarget(endpoint: Endpoint, side: Side = 'baseline'): RoomTarget {
  return {
    side,
    endpoint,
    async prepare(viewers) {
      return {
        liveId: randomUUID(),
        hostToken: 'baseline',
        viewerTokens: new Array(viewers).fill('baseline'),
      };
    },
    async finalSeq(_room, lastAcked) {
      return lastAcked;
    },
  };
}
