/**
 * Node-side WebRTC peers for media tests: the load kit's msc-node peers (load-tests/src/media/msc-peers.ts)
 * signaling over a real Socket.IO test client, exactly like the browser client does.
 */
import { MscPublisher, MscViewer, type Signaling } from '../load-tests/src/media/msc-peers';
import { ok } from './media';
import { call, type TestClient } from './server';

const signaling = (socket: TestClient): Signaling => ({
  request: (event, payload) => ok(call(socket, event, payload)),
  on: (event, fn) => socket.on(event as 'sfu:reconnect', fn as never),
});

/** The host publishes one Opus-like audio track (50 packets/s) and republishes on `sfu:reconnect`. */
export class NodePublisher extends MscPublisher {
  constructor(
    readonly socket: TestClient,
    liveId: string,
  ) {
    super(signaling(socket), liveId);
  }
}

/** A viewer that consumes every producer of the live, counts RTP packets, and starts over on `sfu:reconnect`. */
export class NodeViewer extends MscViewer {
  constructor(
    readonly socket: TestClient,
    liveId: string,
  ) {
    super(signaling(socket), liveId);
  }
}
