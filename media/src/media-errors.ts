/**
 * The media layer's one error type, and the translation of mediasoup's own errors into it, so callers (the
 * server's signaling adapter) map media failures to their codes without knowing mediasoup's error classes.
 */
import * as mediasoup from 'mediasoup';

export type MediaErrorCode =
  /** No such transport, producer or consumer for this peer. */
  | 'not-found'
  /** The request does not fit the object's state (produce on a recv transport, connect twice, …). */
  | 'invalid-state'
  /** The client's RTP capabilities cannot receive the producer. */
  | 'cannot-consume'
  /** The room (or its router) is closed. */
  | 'closed'
  /** mediasoup refused the parameters (malformed DTLS or RTP parameters, unsupported codec, …). */
  | 'invalid-params'
  /** A worker refused a well-formed request in the state it is in (duplicate SSRC, …). */
  | 'rejected';

export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MediaError';
  }
}

/** Any error a media call threw, as a MediaError (non-errors are returned as they are). */
export function asMediaError(err: unknown): unknown {
  if (err instanceof MediaError) return err;
  // mediasoup rejects parameters it cannot use with TypeError (its own checks or the worker's) or UnsupportedError.
  if (err instanceof TypeError || err instanceof mediasoup.types.UnsupportedError) {
    return new MediaError('invalid-params', err.message, { cause: err });
  }
  if (err instanceof mediasoup.types.InvalidStateError) {
    return new MediaError('invalid-state', err.message, { cause: err });
  }
  // NOTE: any other error a worker request rejects with is the worker refusing a well-formed request in the
  // state it is in (duplicate SSRC, connect called twice, …): the request's fault, not the node's.
  if (err instanceof Error)
    return new MediaError('rejected', `media request rejected: ${err.message}`, { cause: err });
  return err;
}
