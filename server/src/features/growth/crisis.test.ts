import type { ModerationAlert } from '@lc/contracts/growth.schema';
import { describe, expect, it } from 'vitest';
import { guestOn, joinAs, type RoomClient } from '../../../../test/interaction';
import { call, hostWithLive, http, sharedEnv, startServer, waitFor } from '../../../../test/server';

const NEGATIVE = ['这是垃圾', '主播是骗子吧', '假货！！', '我要退款', 'total scam', '太差了差评'];

describe('crisis alert', () => {
  it('raises one alert to the host, not 30, when 30 of 100 comments in a minute are negative (two nodes)', async () => {
    const a = await startServer({ ledger: 'postgres' });
    const b = await startServer({ env: sharedEnv(a) });
    const clients: RoomClient[] = [];
    try {
      const { host, liveId } = await hostWithLive(a);
      const hostC = await joinAs(b, host, liveId);
      clients.push(hostC);
      const alerts: ModerationAlert[] = [];
      hostC.socket.on('moderation:alert', (p) => alerts.push(p));
      const viewers = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => joinAs(i % 2 ? a : b, await guestOn(a, `v${i}`), liveId)),
      );
      clients.push(...viewers);
      let viewerAlerts = 0;
      for (const v of viewers) v.socket.on('moderation:alert', () => viewerAlerts++);
      // A quiet stretch first: 5 negative out of 40 stays under the threshold (20 %, at least 10).
      await Promise.all(
        viewers.slice(0, 40).map((v, i) =>
          call(v.socket, 'comment:send', {
            liveId,
            text: i < 5 ? NEGATIVE[i % NEGATIVE.length] : `不错 nice ${i}`,
          }),
        ),
      );
      await Promise.all([a, b].map((s) => s.built.use('crisis').flush()));
      expect(alerts).toEqual([]);
      // Then the storm: 25 more negative ones among the other 60 (30 of 100 in the minute).
      const storm = viewers.slice(40).map((v, i) =>
        call(v.socket, 'comment:send', {
          liveId,
          text: i < 25 ? `${NEGATIVE[i % NEGATIVE.length]} ${i}` : `好看 ${i}`,
        }),
      );
      for (const r of await Promise.all(storm)) expect(r.ok).toBe(true);
      await waitFor(() => alerts.length > 0, 10_000, 'an alert');
      // Every node adds its counts again (timers and explicit flushes): still one alert.
      for (let k = 0; k < 3; k++) await Promise.all([a, b].map((s) => s.built.use('crisis').flush()));
      await new Promise((r) => setTimeout(r, 1500));
      expect(alerts).toHaveLength(1);
      // Raised at the first tick over the threshold, with the window as it stood then.
      const [alert] = alerts;
      expect(alert).toMatchObject({ liveId, kind: 'negative-comments', windowSec: 60 });
      expect(alert!.negative).toBeGreaterThanOrEqual(10);
      expect(alert!.negative).toBeLessThanOrEqual(30);
      expect(alert!.negative / alert!.total).toBeGreaterThanOrEqual(0.2);
      // The window counted every comment of both nodes exactly once.
      const win = await a.built.deps.redis.hgetall(a.built.deps.keys.crisis(liveId));
      const sum = (k: string) =>
        Object.entries(win)
          .filter(([f]) => f.startsWith(k))
          .reduce((n, [, v]) => n + Number(v), 0);
      expect({ negative: sum('n:'), total: sum('t:') }).toEqual({ negative: 30, total: 100 });
      expect(alerts[0]!.samples.length).toBeGreaterThan(0);
      for (const s of alerts[0]!.samples) expect(NEGATIVE.some((n) => s.startsWith(n))).toBe(true);
      // Viewers never hear of it.
      expect(viewerAlerts).toBe(0);
      // The audit log holds that one alert; staff may read it, viewers may not.
      const logged = await http<ModerationAlert[]>(
        b,
        'GET',
        `/api/lives/${liveId}/crisis-alerts`,
        undefined,
        host.token,
      );
      expect(logged.body).toEqual([alert]);
      const peek = await http(
        a,
        'GET',
        `/api/lives/${liveId}/crisis-alerts`,
        undefined,
        viewers[0]!.auth.token,
      );
      expect(peek.status).toBe(403);
    } finally {
      for (const c of clients) c.close();
      await b.close();
      await a.close();
    }
  }, 120_000);
});
