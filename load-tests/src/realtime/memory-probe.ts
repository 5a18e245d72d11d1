/**
 * Child process of the swarm-memory scenario: connects and joins N clients of one kind in an otherwise idle
 * process, and reports the memory they hold (RSS and V8 heap + external, after forced GCs) per client.
 *   node --expose-gc --import tsx load-tests/src/realtime/memory-probe.ts <url> <kind> <liveId> <tokensFile> <holdMs>
 * Prints `MEASURED {json}`, keeps the clients connected for holdMs (the parent reads the server's RSS then), exits.
 */
import { readFileSync } from 'node:fs';
import type { JoinResult } from '@lc/contracts/room.schema';
import { type ClientKind, connectClient, type RoomClient } from './room-client';
import './sio-client';
import './wire-client';

const gc = (globalThis as { gc?: () => void }).gc;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 100));
  }
};
const snapshot = () => {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
};

async function main() {
  const [url, kind, liveId, tokensFile, holdMs] = process.argv.slice(2);
  if (!url || !kind || !liveId || !tokensFile)
    throw new Error('usage: memory-probe <url> <kind> <liveId> <tokensFile> [holdMs]');
  if (!gc) throw new Error('run with --expose-gc');
  const tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as string[];
  const join = async (token: string): Promise<RoomClient> => {
    const c = await connectClient(kind as ClientKind, url, token);
    const r = await c.call<JoinResult>('live:join', { liveId });
    if (!r.ok) throw new Error(r.error.code);
    return c;
  };
  // Warm-up: load and JIT everything a connection touches, so only per-client memory is counted below.
  const warm = await join(tokens[0]!);
  warm.close();
  await new Promise((r) => setTimeout(r, 300));
  await settle();
  const before = snapshot();
  const clients: RoomClient[] = [];
  let failed = 0;
  let next = 1;
  const worker = async () => {
    for (let i = next++; i < tokens.length; i = next++) {
      try {
        clients.push(await join(tokens[i]!));
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: 100 }, worker));
  await new Promise((r) => setTimeout(r, 1000));
  await settle();
  const after = snapshot();
  const n = Math.max(1, clients.length);
  process.stdout.write(
    `MEASURED ${JSON.stringify({
      kind,
      clients: clients.length,
      failed,
      before,
      after,
      rssKBPerClient: Math.round(((after.rss - before.rss) / n / 1024) * 10) / 10,
      heapKBPerClient:
        Math.round(((after.heapUsed + after.external - before.heapUsed - before.external) / n / 1024) * 10) /
        10,
    })}\n`,
  );
  await new Promise((r) => setTimeout(r, Number(holdMs ?? 3000)));
  for (const c of clients) c.close();
  await new Promise((r) => setTimeout(r, 500));
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
