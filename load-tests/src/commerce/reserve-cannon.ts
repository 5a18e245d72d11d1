/**
 * autocannon on the reserve route with a header per request: `setupRequest` picks the buyer's token and the
 * Idempotency-Key from a BuyerMix, `onResponse` tallies what came back. Same result shape as http/cannon.ts.
 */
import autocannon from 'autocannon';
import type { CannonResult } from '../http/cannon';
import { LatencyHistogram, round } from '../lib/stats';
import type { BuyerMix, OutcomeTally } from './buyer-mix';

export async function reserveCannon(opts: {
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
  const latency = new LatencyHistogram();
  const perSecond: number[] = [];
  let total = 0;
  const body = JSON.stringify({ quantity: 1 });
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.base,
        connections: opts.connections,
        pipelining: opts.pipelining,
        duration: opts.durationS,
        timeout: 10,
        requests: [
          {
            method: 'POST',
            path: opts.path,
            headers: { 'content-type': 'application/json' },
            body,
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
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latency.record(responseTime));
    instance.on('tick', (t?: { counter: number }) => {
      const n = t?.counter ?? 0;
      perSecond.push(n);
      total += n;
      opts.onTick?.(total, perSecond.length);
    });
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {}))
    statusCodes[code] = (s as { count: number }).count;
  return {
    rps: round(r.requests.total / Math.max(r.duration, 0.001), 0),
    requests: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    statusCodes,
    latency,
    perSecond,
  };
}
