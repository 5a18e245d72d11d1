/** One autocannon run with the kit's own latency histogram and per-second counts for the report. */
import autocannon from 'autocannon';
import { LatencyHistogram, round } from '../lib/stats';

export interface CannonResult {
  rps: number;
  requests: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  latency: LatencyHistogram;
  perSecond: number[];
}

export async function cannon(opts: {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  pipelining: number;
  durationS: number;
  /** Per-request setup (headers, bodies, response hooks); without it every request is a GET of `url`. */
  requests?: autocannon.Request[];
  onTick?: (done: number, secs: number) => void;
}): Promise<CannonResult> {
  const latency = new LatencyHistogram();
  const perSecond: number[] = [];
  let total = 0;
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        headers: opts.headers,
        connections: opts.connections,
        pipelining: opts.pipelining,
        duration: opts.durationS,
        timeout: 10,
        ...(opts.requests ? { requests: opts.requests } : {}),
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
