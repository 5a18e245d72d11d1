/**
 * A few Chrome DevTools Protocol calls to a server the kit spawned with `--inspect=127.0.0.1:0` (loopback only):
 * force a full GC and read the V8 heap, so memory per socket is measured after garbage is gone rather than
 * guessed from a drifting RSS.
 */
import WebSocket from 'ws';

export interface HeapAfterGc {
  usedBytes: number;
  totalBytes: number;
}

export async function collectGarbage(wsUrl: string, timeoutMs = 10_000): Promise<HeapAfterGc> {
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
  const pending = new Map<number, (r: { result?: unknown; error?: { message: string } }) => void>();
  let nextId = 1;
  const call = <T>(method: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (r) =>
        r.error ? reject(new Error(`${method}: ${r.error.message}`)) : resolve(r.result as T),
      );
      ws.send(JSON.stringify({ id, method }));
    });
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg);
  });
  const timer = setTimeout(() => ws.terminate(), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('close', () => reject(new Error('inspector connection closed')));
    });
    // Twice: the first pass can leave objects that only die once their finalizers ran.
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const heap = await call<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
    return { usedBytes: heap.usedSize, totalBytes: heap.totalSize };
  } finally {
    clearTimeout(timer);
    ws.close();
  }
}
