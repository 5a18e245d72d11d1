/**
 * The replay's read-only comments overlay: the live's comments (paged from the server once) shown over the video
 * at the moment they were said — the last few of the past seconds. Text is set as text, never parsed as HTML.
 */
import type { ReplayComment, ReplayCommentsPage } from '@lc/contracts/replay.schema';
import { el } from '../dom';
import { api } from '../live-client';

const WINDOW_MS = 10_000;
const SHOWN = 6;
const MAX_PAGES = 50;

export async function loadReplayComments(liveId: string, token: string): Promise<ReplayComment[]> {
  const all: ReplayComment[] = [];
  let after: number | null = 0;
  for (let i = 0; i < MAX_PAGES && after !== null; i++) {
    const page: ReplayCommentsPage = await api<ReplayCommentsPage>(
      'GET',
      `/api/lives/${encodeURIComponent(liveId)}/recording/comments?afterSeq=${after}&limit=500`,
      undefined,
      token,
    );
    all.push(...page.comments);
    after = page.next;
  }
  return all.sort((a, b) => a.offsetMs - b.offsetMs || a.seq - b.seq);
}

/** Renders into `list` the comments said in the window before `ms`; re-renders only when that set changes. */
export function commentsOverlay(list: HTMLElement, comments: readonly ReplayComment[]) {
  let key = '';
  return (ms: number) => {
    const shown = comments.filter((c) => c.offsetMs <= ms && c.offsetMs > ms - WINDOW_MS).slice(-SHOWN);
    const next = shown.map((c) => c.seq).join(',');
    if (next === key) return;
    key = next;
    list.replaceChildren(
      ...shown.map((c) =>
        el('li', { 'data-seq': String(c.seq) }, el('strong', {}, c.name), ' ', el('span', {}, c.text)),
      ),
    );
  };
}
