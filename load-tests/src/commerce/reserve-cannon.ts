/**
 * autocannon on the reserve route with a header per request: `setupRequest` picks the buyer's token and the
 * Idempotency-Key from a BuyerMix, `onResponse` tallies what came back. The run itself is http/cannon.ts.
 */
import { type CannonResult, cannon } from '../http/cannon';
import type { BuyerMix, OutcomeTally } from './buyer-mix';

export function reserveCannon(opts: {
  base: string;
  path: string;
  mix: BuyerMix;
  tally: OutcomeTally;
  connections: number;
  pipelining: number;
  durationS: number;
  onTick?: (done: number, secs: number) => void;
}): Promise<CannonResult> {
  const { mix, tally } = opts;
  return cannon({
    url: opts.base,
    connections: opts.connections,
    pipelining: opts.pipelining,
    durationS: opts.durationS,
    onTick: opts.onTick,
    requests: [
      {
        method: 'POST',
        path: opts.path,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ quantity: 1 }),
        setupRequest: (req) => {
          const a = mix.take();
          // NOTE: autocannon hands us a fresh headers object per request, so mutating it is safe.
          req.headers!.authorization = `Bearer ${mix.tokens[a.buyer]}`;
          req.headers!['idempotency-key'] = a.key;
          return req;
        },
        onResponse: (status, resBody) => tally.record(status, resBody),
      },
    ],
  });
}
