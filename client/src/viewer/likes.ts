/** Like button: taps are summed locally and sent at most once a second; every tap floats a heart. */
import { $, el } from '../dom';
import { icon } from '../icons';
import type { Panel, ViewerCtx } from './panel';

const COLORS = ['#fb7185', '#f472b6', '#facc15', '#a78bfa', '#f87171'];
const MAX_HEARTS = 24;

/** Floats one heart up over the video (decoration only, hidden from assistive tech). */
export function floatHeart(): void {
  const layer = document.querySelector('#hearts');
  if (!layer || layer.childElementCount >= MAX_HEARTS) return;
  const heart = el('span', { class: 'heart' }, icon('heart', true));
  heart.style.left = `${10 + Math.random() * 50}%`;
  heart.style.color = COLORS[Math.floor(Math.random() * COLORS.length)]!;
  heart.style.setProperty('--drift', String(Math.round((Math.random() - 0.5) * 60)));
  heart.addEventListener('animationend', () => heart.remove());
  layer.append(heart);
}

export function likesPanel(ctx: ViewerCtx): Panel {
  let taps = 0;
  let last = 0;
  $('#like').addEventListener('click', () => {
    taps++;
    floatHeart();
  });
  // NOTE: the batching: at most one like:tap message per second, carrying every tap since the last one.
  setInterval(() => {
    if (taps === 0) return;
    const count = taps;
    taps = 0;
    ctx.client.command('like:tap', { liveId: ctx.liveId, count }).catch(() => {});
  }, 1000);
  return {
    snapshot(s) {
      last = (s.features.likes as { total?: number } | undefined)?.total ?? 0;
    },
    likes(total) {
      // Other viewers' likes: a few hearts for a rising total.
      const rise = Math.min(5, total - last);
      last = total;
      for (let i = 0; i < rise; i++) setTimeout(floatHeart, i * 150);
    },
  };
}
