/**
 * The replay page (`/replay.html?live=<liveId>`): the recording's HLS playlist in hls.js, its chapters (a click
 * seeks there), and the product that was pinned at the moment being watched. Anyone may watch a published
 * replay; the live's host and moderators also an unpublished one (their stored session's token is sent).
 */
import type { Product } from '@lc/contracts/commerce.schema';
import type { Chapter, Recording } from '@lc/contracts/replay.schema';
import Hls from 'hls.js';
import { $, el, setUserUrl } from '../dom';
import { applyI18n, langSwitch, t } from '../i18n';
import { api } from '../live-client';
import { ensureSession } from '../viewer/guest';
import { replayBuyButton } from './replay-buy';
import { commentsOverlay, loadReplayComments } from './replay-comments';
import './replay-strings';
import '../styles/tokens.css';
import '../styles/base.css';
import '../styles/replay.css';

const status = (text: string) => {
  $('#replay-status').textContent = text;
};

/** The product pinned at `seconds` into the replay (the last product chapter at or before it). */
export function productAt(chapters: readonly Chapter[], seconds: number): string | undefined {
  let id: string | undefined;
  for (const c of chapters) {
    if (c.type === 'product-pinned' && c.offsetMs <= seconds * 1000 + 250) id = c.productId;
  }
  return id;
}

function money(p: Product) {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: p.currency }).format(p.price / 100);
}

async function main() {
  $('#lang-slot').append(langSwitch());
  applyI18n();
  const liveId = new URLSearchParams(location.search).get('live');
  if (!liveId) return status(t('replay.missing'));
  status(t('replay.loading'));
  const auth = await ensureSession();
  let rec: Recording;
  try {
    rec = await api<Recording>(
      'GET',
      `/api/lives/${encodeURIComponent(liveId)}/recording`,
      undefined,
      auth.token,
    );
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'INTERNAL';
    return status(
      code === 'RECORDING_NOT_PUBLISHED'
        ? t('replay.notPublished')
        : code === 'RECORDING_NOT_FOUND'
          ? t('replay.notFound')
          : t('replay.failed', { code }),
    );
  }
  $('#replay-title').textContent = rec.title ?? t('replay.title');
  status(rec.gaps.length > 0 ? t('replay.gaps', { count: rec.gaps.length }) : '');
  const { products } = await api<{ products: Product[] }>(
    'GET',
    `/api/lives/${encodeURIComponent(liveId)}/products`,
    undefined,
    auth.token,
  ).catch(() => ({ products: [] as Product[] }));

  const video = $<HTMLVideoElement>('#replay-video');
  const chapters = rec.chapters ?? [];
  if (Hls.isSupported()) {
    const hls = new Hls({
      xhrSetup: (xhr) => xhr.setRequestHeader('authorization', `Bearer ${auth.token}`),
    });
    hls.loadSource(rec.playlistUrl);
    hls.attachMedia(video);
  } else {
    video.src = rec.playlistUrl; // Safari plays HLS natively (published replays only: no header there)
  }

  const list = $('#replay-chapters');
  list.replaceChildren(
    ...chapters.map((c) => {
      const at = new Date(c.offsetMs).toISOString().slice(11, 19);
      const button = el('button', {
        type: 'button',
        'data-type': c.type,
        'data-offset-ms': String(c.offsetMs),
      });
      button.append(
        el('span', { class: 'chapter-time' }, at),
        ' ',
        t(`chapter.${c.type}`, { label: c.label }),
      );
      button.addEventListener('click', () => {
        video.currentTime = c.offsetMs / 1000;
        void video.play().catch(() => {});
      });
      return el('li', {}, button);
    }),
  );

  let shown: string | undefined | null = null;
  const showProduct = () => {
    const id = productAt(chapters, video.currentTime);
    if (id === shown) return;
    shown = id;
    const box = $('#replay-product');
    const p = products.find((x) => x.id === id);
    if (!p) {
      box.replaceChildren(el('p', { class: 'muted' }, t('replay.noProduct')));
      box.removeAttribute('data-product-id');
      return;
    }
    const img = el('img', { alt: '', width: '64', height: '64' });
    box.setAttribute('data-product-id', p.id);
    const position = () => Math.min(video.currentTime * 1000, rec.durationMs);
    box.replaceChildren(
      el('strong', {}, p.title),
      el('span', { class: 'price' }, money(p)),
      replayBuyButton({ liveId, token: auth.token, position }, p.id),
    );
    if (setUserUrl(img, 'src', p.imageUrl)) box.prepend(img);
  };
  video.addEventListener('timeupdate', showProduct);
  video.addEventListener('seeked', showProduct);
  showProduct();

  const comments = await loadReplayComments(liveId, auth.token).catch(() => []);
  const overlay = commentsOverlay($('#replay-comments'), comments);
  const showComments = () => overlay(video.currentTime * 1000);
  video.addEventListener('timeupdate', showComments);
  video.addEventListener('seeked', showComments);
  showComments();
}

void main();
