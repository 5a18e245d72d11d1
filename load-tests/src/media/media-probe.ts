/**
 * What the media benchmark reads from the server side: the mediasoup worker pids (`/readyz` → media), routers
 * and consumers per worker (`/metrics`: lc_media_routers, lc_media_consumers), and each worker's CPU and the
 * CPUs it may run on from `/proc/<pid>` (the workers are children of the server and inherit its pinning).
 */
import { readFileSync } from 'node:fs';
import { ReadinessResponse } from '@lc/contracts/health.schema';

export interface MediaInfo {
  pids: number[];
  listenIp?: string;
  announcedIp?: string | null;
}

/** The media check of `/readyz`; fails with a hint when the server runs without media. */
export async function mediaInfo(base: string): Promise<MediaInfo> {
  const res = await get(`${base}/readyz`, 5000);
  const ready = ReadinessResponse.parse(await res.json());
  const media = ready.checks.media;
  if (!media) {
    throw new Error(
      `${base} runs without media (no "media" check in /readyz): start it with MEDIA_ENABLED=true, or use --spawn`,
    );
  }
  if (!media.ok) throw new Error(`${base}/readyz: media is not ready: ${media.error}`);
  const info = media.info as { pids?: number[]; listenIp?: string; announcedIp?: string | null };
  return { pids: info.pids ?? [], listenIp: info.listenIp, announcedIp: info.announcedIp };
}

export interface WorkerLoad {
  pid: number;
  routers: number;
  consumers: number;
}

/** GET that names the URL and the network cause when it fails (undici only says "fetch failed"). */
async function get(url: string, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`GET ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
}

/** Routers and consumers (WebRTC and pipe) per worker, from the server's Prometheus text. */
export async function workerLoads(base: string): Promise<WorkerLoad[]> {
  const text = await (await get(`${base}/metrics`, 30_000)).text();
  const byPid = new Map<number, WorkerLoad>();
  for (const m of text.matchAll(/^lc_media_(routers|consumers)\{pid="(\d+)"\} (\d+)/gm)) {
    const pid = Number(m[2]);
    const w = byPid.get(pid) ?? { pid, routers: 0, consumers: 0 };
    w[m[1] as 'routers' | 'consumers'] = Number(m[3]);
    byPid.set(pid, w);
  }
  return [...byPid.values()].sort((a, b) => a.pid - b.pid);
}

/** The CPUs a process may run on (`Cpus_allowed_list`), e.g. "0". */
export function allowedCpus(pid: number): string | null {
  try {
    return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Datagrams the kernel dropped because a UDP socket's receive buffer was full (machine-wide, /proc/net/snmp). */
export function udpRcvbufErrors(): number | null {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Udp:'));
    const [names, values] = lines.map((l) => l.trim().split(/\s+/));
    const i = names?.indexOf('RcvbufErrors') ?? -1;
    return i > 0 && values ? Number(values[i]) : null;
  } catch {
    return null;
  }
}

/** Nanoseconds this process's main thread has waited for a CPU while runnable (/proc/self/schedstat). */
export function runQueueWaitNs(): number | null {
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]);
  } catch {
    return null;
  }
}
