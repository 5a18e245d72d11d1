/**
 * The entry page: live and upcoming lives as cards — a cover (the pinned or first product's image, else the
 * host's initial on a colour of the live), title, host, a live badge and how many watch now. Counts and covers
 * come from each live's room snapshot (REST, read-only) and fill in after the cards show.
 */
import type { AuthResponse } from '@lc/contracts/auth.schema';
import type { CommerceSnapshot } from '@lc/contracts/commerce.schema';
import type { Live } from '@lc/contracts/live.schema';
import type { RoomSnapshot } from '@lc/contracts/room.schema';
import { $, el } from '../dom';
import { onLangChange, t } from '../i18n';
import { icon } from '../icons';
import { api } from '../live-client';

const MAX_CARDS = 24;

/** A stable hue per live, so a card without an image still has its own colour. */
const hueOf = (id: string) => [...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);

function card(live: Live): { li: HTMLLIElement; fill(s: RoomSnapshot): void; relabel(): void } {
  const isLive = live.status === 'live';
  const badge = el('span', { class: isLive ? 'badge badge-live' : 'badge upcoming' });
  const count = el('b', { class: 'num' }, '–');
  const watching = el('span', { class: 'sr-only' });
  const viewers = el('span', { class: 'pill viewers', 'data-count': '' }, icon('eye'), count, watching);
  viewers.hidden = !isLive;
  const cover = el(
    'span',
    { class: 'cover', style: `--hue: ${hueOf(live.id)}` },
    el('span', { class: 'initial', 'aria-hidden': 'true' }, [...live.hostName][0] ?? '?'),
    badge,
    viewers,
  );
  const link = el(
    'a',
    { class: 'live-card', href: `?live=${encodeURIComponent(live.id)}`, 'data-live-id': live.id },
    cover,
    el(
      'span',
      { class: 'card-body' },
      el('span', { class: 'card-title' }, live.title),
      el('span', { class: 'card-host' }, live.hostName),
    ),
  );
  const relabel = () => {
    badge.textContent = isLive ? t('card.live') : t('card.upcoming');
    watching.textContent = ` ${t('card.watching')}`;
  };
  relabel();
  return {
    li: el('li', {}, link),
    relabel,
    fill(s) {
      count.textContent = String(s.presence.online);
      viewers.dataset.count = String(s.presence.online);
      const c = s.features.commerce as CommerceSnapshot | undefined;
      const products = c?.products ?? [];
      const image =
        products.find((p) => p.id === c?.pinnedProductId)?.imageUrl ??
        products.find((p) => p.imageUrl)?.imageUrl;
      if (image && !cover.querySelector('img'))
        cover.prepend(el('img', { src: image, alt: '', loading: 'lazy' }));
    },
  };
}

export async function showLives(auth: AuthResponse | null): Promise<void> {
  const section = $('#picker');
  const [live, scheduled] = await Promise.all([
    api<{ lives: Live[] }>('GET', '/api/lives?status=live'),
    api<{ lives: Live[] }>('GET', '/api/lives?status=scheduled'),
  ]);
  const lives = [...live.lives, ...scheduled.lives].slice(0, MAX_CARDS);
  const cards = lives.map(card);
  section.hidden = false;
  const empty = el('li', { class: 'muted' });
  const relabel = () => {
    empty.textContent = t('picker.empty');
    for (const c of cards) c.relabel();
  };
  relabel();
  onLangChange(relabel);
  $('#lives').replaceChildren(...(cards.length ? cards.map((c) => c.li) : [empty]));
  if (!auth) return;
  // NOTE: one snapshot per live card, all at once; a refused one (ended, banned) just keeps its placeholder.
  await Promise.all(
    lives.map((l, i) =>
      api<RoomSnapshot>('GET', `/api/lives/${l.id}/snapshot`, undefined, auth.token)
        .then((s) => cards[i]!.fill(s))
        .catch(() => {}),
    ),
  );
}
