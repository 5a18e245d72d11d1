/**
 * `npm run load -- chaos api-node`: two API nodes on one Redis and one PostgreSQL ledger behind a failover proxy
 * (failover-proxy.ts, as nginx does it); `--viewers` viewers and `--commenters` commenters spread over both,
 * a comment storm of `--rate` comments/s, and API node 1 gets SIGKILL `--before` seconds in. Its clients reconnect
 * through the proxy to node 2 and resume by `lastSeq` (resuming-viewer.ts, the web client's logic); the survivor
 * sweeps the dead node's presence. Proof runs: `--resume off` (clients rejoin as newcomers: gaps) and
 * `--sweep off` (NODE_DEAD_AFTER_MS of 10 minutes: the online count stays wrong).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ack } from '@lc/contracts/events';
import { z } from 'zod';
import { guestTokens, hostWithLive, roomSnapshot } from '../lib/project-api';
import { nowMs } from '../lib/stats';
import { int, num, onOff } from '../options';
import { defineScenario, type ScenarioResult } from '../scenario';
import { apiNodeKillVerdicts } from './api-node-kill-verdicts';
import { startFailoverProxy } from './failover-proxy';
import { type ResumingViewer, resumingViewer } from './resuming-viewer';
import { startChaosStack } from './stack';

export const ApiNodeKillOptions = z.object({
  viewers: int(1, 20_000).default(2000),
  commenters: int(1, 1000).default(20),
  rate: num(1, 5000).default(50),
  before: num(0.5, 600).default(5),
  after: num(0.5, 600).default(8),
  heartbeatMs: int(100, 60_000).default(1000),
  deadAfterMs: int(200, 600_000).default(2000),
  leavers: int(0, 20_000).default(20),
  resume: onOff.default(true),
  sweep: onOff.default(true),
});
export type ApiNodeKillOptions = z.infer<typeof ApiNodeKillOptions>;

const PRESENCE_MS = 500;

async function until(fn: () => boolean, ms: number, everyMs = 100): Promise<boolean> {
  const end = nowMs() + ms;
  while (!fn()) {
    if (nowMs() > end) return false;
    await sleep(everyMs);
  }
  return true;
}

export const apiNodeKillScenario = defineScenario({
  name: 'chaos-api-node',
  summary: 'kill -9 one of two API nodes during a comment storm: resume by seq with 0 gaps, presence back',
  benchmark: '#11',
  options: ApiNodeKillOptions,
  help: {
    viewers: 'viewers (full socket.io clients that reconnect; default 2000)',
    commenters: 'users sending the comment storm (default 20)',
    rate: 'comments per second over all commenters (default 50)',
    before: 'seconds of storm before node 1 is killed (default 5)',
    after: 'seconds of storm after the kill (default 8)',
    heartbeatMs: 'NODE_HEARTBEAT_MS of both nodes (default 1000)',
    deadAfterMs: 'NODE_DEAD_AFTER_MS of both nodes (default 2000)',
    leavers: 'viewers of the killed node that never come back (default 20): only the sweep uncounts them',
    resume: 'off: clients rejoin without lastSeq and keep their state (proof run: must FAIL)',
    sweep: 'off: NODE_DEAD_AFTER_MS 10 minutes, the dead node is never swept in time (proof run: must FAIL)',
  },
  metrics: [
    'on_killed_node',
    'rejoined',
    'rejoin_p50_ms',
    'rejoin_max_ms',
    'presence_truth_ms',
    'comments_acked',
  ],
  needsServer: false,
  async run(ctx, opts): Promise<ScenarioResult> {
    const say = (s: string) => ctx.progress.update(`chaos api-node · ${s}`);
    say('starting PostgreSQL, Redis, two API nodes and the job worker');
    const deadAfterMs = opts.sweep ? opts.deadAfterMs : 600_000;
    const stack = await startChaosStack({
      cpu: ctx.serverCpu,
      postgres: true,
      apiNodes: 2,
      env: {
        NODE_HEARTBEAT_MS: String(opts.heartbeatMs),
        NODE_DEAD_AFTER_MS: String(deadAfterMs),
        PRESENCE_MS: String(PRESENCE_MS),
        COMMENT_RATE_COUNT: '1000',
        COMMENT_RATE_WINDOW_MS: '1000',
      },
    });
    // Clients alternate between the nodes (ip_hash spreads users by address); a refused node → the next.
    const proxy = await startFailoverProxy(stack.urls, (n) => n);
    const clients: ResumingViewer[] = [];
    try {
      const { hostToken, liveId } = await hostWithLive(stack.url, 'chaos api-node');
      const total = opts.viewers + opts.commenters + 1;
      const tokens = await guestTokens(stack.url, total, {
        onProgress: (d) => d % 200 === 0 && say(`guests ${d}/${total}`),
      });
      // The observer sits on the survivor directly: it records the log and the online count throughout.
      const observer = resumingViewer(stack.urls[1]!, tokens[0]!, liveId, { resume: true, keepEvents: true });
      clients.push(observer);
      for (let i = 1; i < total; i++) {
        clients.push(resumingViewer(proxy.url, tokens[i]!, liveId, { resume: opts.resume }));
        if (i % 50 === 0) {
          say(`connecting ${i}/${total}`);
          await sleep(20);
        }
      }
      if (!(await until(() => clients.every((c) => c.joined), 120_000)))
        throw new Error(`only ${clients.filter((c) => c.joined).length} of ${total} clients joined`);
      const commenters = clients.slice(1 + opts.viewers);
      const connected = () => clients.filter((c) => c.socket.connected && c.joined).length;
      // Viewers of the dead node that never come back (the tab closed as the node died): only the survivor's
      // sweep takes them out of the online count.
      const leavers = new Set<ResumingViewer>();
      let leaversLeft = 0;
      for (const c of clients.slice(1, 1 + opts.viewers))
        c.socket.on('disconnect', () => {
          if (leaversLeft <= 0) return;
          leaversLeft--;
          leavers.add(c);
          c.close();
        });

      // The storm: comments spread over the commenters at `rate`/s, each ack recorded.
      const acked = new Set<string>();
      let sent = 0;
      let stormOn = true;
      const storm = (async () => {
        const every = 1000 / opts.rate;
        const t0 = nowMs();
        for (let k = 0; stormOn; k++) {
          const c = commenters[k % commenters.length]!;
          if (c.socket.connected && c.joined) {
            sent++;
            void c.socket
              .timeout(10_000)
              .emitWithAck('comment:send', { liveId, text: `storm ${k}` })
              .then((res: Ack<{ comment: { id: string }; status: string }>) => {
                if (res.ok && res.data.status === 'published') acked.add(res.data.comment.id);
              })
              .catch(() => undefined);
          }
          const wait = t0 + (k + 1) * every - nowMs();
          if (wait > 0) await sleep(wait);
        }
      })();

      say(`storm for ${opts.before} s on both nodes`);
      await sleep(opts.before * 1000);
      const onKilledNode = proxy.current[0]!;
      const band = ctx.timeline.band('node 1 killed', 'project');
      leaversLeft = opts.leavers;
      const killedAt = nowMs();
      await stack.killApiNode(0);
      say(`node 1 killed (${onKilledNode} connections on it); storm goes on for ${opts.after} s`);
      const rejoinMs: number[] = [];
      const recorded = new Set<ResumingViewer>();
      let presenceTruthMs: number | null = null;
      let lastPresence: { online: number; truth: number } | undefined;
      const watch = setInterval(() => {
        for (const c of clients)
          if (c.drops > 0 && c.joined && !recorded.has(c)) {
            recorded.add(c);
            rejoinMs.push(nowMs() - killedAt);
          }
      }, 20);
      // The online count as any client reads it (the snapshot's presence), against the clients really joined.
      let polling = true;
      const poll = (async () => {
        while (polling) {
          const at = nowMs();
          const online = await roomSnapshot(stack.urls[1]!, liveId, hostToken)
            .then((s) => s.presence.online)
            .catch(() => undefined);
          const truth = connected();
          if (online !== undefined) {
            lastPresence = { online, truth };
            const settled = clients.every((c) => leavers.has(c) || c.joined);
            if (presenceTruthMs === null && settled && online === truth)
              presenceTruthMs = Math.round(at - killedAt);
          }
          await sleep(100);
        }
      })();
      await sleep(opts.after * 1000);
      stormOn = false;
      await storm;
      band();

      say('storm over: waiting for every client to catch up');
      const stayers = clients.filter((c) => !leavers.has(c));
      await until(() => stayers.every((c) => c.joined), 30_000);
      await sleep(1000);
      const finalSeq = (await roomSnapshot(stack.urls[1]!, liveId, hostToken)).seq;
      await until(() => stayers.every((c) => (c.checker?.seq ?? 0) >= finalSeq), 15_000);
      // NOTE: judged against the configured sweep (opts.deadAfterMs), also in the `--sweep off` proof run.
      const presenceBoundMs = opts.deadAfterMs + 2 * opts.heartbeatMs + PRESENCE_MS;
      if (presenceTruthMs === null) await until(() => presenceTruthMs !== null, presenceBoundMs + 5000);
      clearInterval(watch);
      polling = false;
      await poll;

      const seen = new Map<string, number>();
      for (const e of observer.applied) {
        const id = (e.data as { id?: string } | undefined)?.id;
        if (e.type === 'comment:new' && id) seen.set(id, (seen.get(id) ?? 0) + 1);
      }
      const dropped = stayers.filter((c) => c.drops > 0);
      const checkers = stayers.flatMap((c) => (c.checker ? [c.checker] : []));
      const withGaps = checkers.filter((c) => {
        const v = c.verdict(finalSeq);
        return v.missing > 0 || v.waiting > 0;
      }).length;
      const sorted = [...rejoinMs].sort((a, b) => a - b);
      const verdicts = apiNodeKillVerdicts({
        onKilledNode,
        dropped: dropped.length,
        rejoined: dropped.filter((c) => c.rejoins > 0 && c.joined).length,
        snapshotRejoins: stayers.reduce((n, c) => n + c.snapshotRejoins, 0),
        viewers: checkers.length,
        viewersWithGaps: withGaps,
        finalSeq,
        leavers: leavers.size,
        acked: acked.size,
        ackedMissing: [...acked].filter((id) => !seen.has(id)).length,
        ackedTwice: [...acked].filter((id) => (seen.get(id) ?? 0) > 1).length,
        presenceTruthMs,
        presenceBoundMs,
        lastPresence,
      });
      return {
        verdicts,
        metrics: {
          on_killed_node: onKilledNode,
          rejoined: sorted.length,
          rejoin_p50_ms: sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null,
          rejoin_max_ms: sorted.length ? sorted[sorted.length - 1]! : null,
          presence_truth_ms: presenceTruthMs,
          comments_acked: acked.size,
        },
        comparisons: [],
        rounds: [],
        charts: {},
        notes: [
          `2 API nodes behind a failover proxy; ${opts.viewers} viewers + ${opts.commenters} commenters + 1 observer on node 2; ${leavers.size} viewers of the killed node never came back`,
          `connections accepted per node: ${proxy.accepted.join(' / ')}; comments sent ${sent}, acknowledged ${acked.size}`,
          `NODE_HEARTBEAT_MS=${opts.heartbeatMs}, NODE_DEAD_AFTER_MS=${deadAfterMs}, PRESENCE_MS=${PRESENCE_MS}; final seq ${finalSeq}`,
        ],
        details: { lastPresence },
      };
    } finally {
      for (const c of clients) c.close();
      await proxy.close();
      await stack.stop();
    }
  },
});
