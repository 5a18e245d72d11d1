/**
 * The group-buy (拼团) panel in the shop sheet: the live's newest offer, its open groups with progress and a
 * server-clock countdown, start / join, the viewer's own group (progress, pay their hold at the group price,
 * the share link) and the outcome (filled, or expired and refunded). Text goes in as text, never HTML.
 */
import type { Order, PaymentStarted } from '@lc/contracts/commerce.schema';
import type {
  GroupBuyGroup,
  GroupBuyJoinResult,
  GroupBuyLink,
  GroupBuyOffer,
  GroupBuysSnapshot,
} from '@lc/contracts/groupbuy.schema';
import { $, el } from '../dom';
import { t } from '../i18n';
import { api } from '../live-client';
import { toast } from '../toast';
import { GROUPBUY_EVENT } from './events';
import { countdown, errorText, feature, money, type Panel, type ViewerCtx } from './panel';

type Progress = { offerId: string; groupId: string; members: number; size: number; expiresAt?: number };
type Mine = { groupId: string; hold?: GroupBuyJoinResult; paid: boolean; paying: boolean; link?: string };

const newKey = () =>
  crypto.randomUUID?.() ??
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

export function groupBuyPanel(ctx: ViewerCtx): Panel {
  const section = $('#groupbuy');
  let offer: GroupBuyOffer | null = null;
  const groups = new Map<string, GroupBuyGroup>();
  let mine: Mine | null = null;
  let outcome: 'filled' | 'expired' | null = null;
  let error = '';

  const heading = el('h3', { id: 'groupbuy-heading' });
  const title = el('p', { id: 'groupbuy-title', class: 'product-title' });
  const price = el('p', { id: 'groupbuy-price' });
  const start = el('button', { id: 'groupbuy-start', type: 'button', class: 'primary' });
  const list = el('ul', { id: 'groupbuy-groups', class: 'plain' });
  const empty = el('p', { id: 'groupbuy-empty', class: 'muted' });
  const my = el('p', { id: 'groupbuy-mine', role: 'status', 'aria-live': 'polite' });
  const pay = el('button', { id: 'groupbuy-pay', type: 'button', class: 'primary' });
  const shareBtn = el('button', { id: 'groupbuy-share', type: 'button' });
  const shareUrl = el('input', { id: 'groupbuy-link', type: 'text', readonly: '' });
  const status = el('p', { id: 'groupbuy-status', class: 'error', role: 'alert' });
  section.append(heading, title, price, start, list, empty, my, pay, shareBtn, shareUrl, status);

  async function join(groupId?: string) {
    if (!offer) return;
    try {
      const ref = groupId ? new URLSearchParams(location.search).get('ref') : null;
      const r = await ctx.client.command<GroupBuyJoinResult>('groupbuy:join', {
        liveId: ctx.liveId,
        offerId: offer.id,
        ...(groupId ? { groupId } : {}),
        ...(ref && new URLSearchParams(location.search).get('group') === groupId ? { ref } : {}),
      });
      mine = { groupId: r.group.id, hold: r, paid: false, paying: false };
      outcome = r.group.status === 'filled' ? 'filled' : null;
      groups.set(r.group.id, r.group);
      error = '';
    } catch (err) {
      error = errorText(err);
      toast(error, 'error');
    }
    render();
  }

  async function payHold() {
    const hold = mine?.hold;
    if (!mine || !hold || mine.paid || mine.paying) return;
    mine.paying = true;
    render();
    try {
      await api<PaymentStarted>(
        'POST',
        `/api/lives/${ctx.liveId}/reservations/${hold.reservationId}/pay`,
        { simulate: 'succeed' },
        ctx.auth.token,
        { 'idempotency-key': newKey() },
      );
    } catch (err) {
      mine.paying = false;
      error = errorText(err);
    }
    render();
  }

  async function share() {
    if (!mine) return;
    try {
      const l = await ctx.client.command<GroupBuyLink>('groupbuy:link', {
        liveId: ctx.liveId,
        groupId: mine.groupId,
      });
      mine.link = l.url;
      await navigator.clipboard?.writeText(l.url).catch(() => {});
    } catch (err) {
      error = errorText(err);
    }
    render();
  }

  start.addEventListener('click', () => void join());
  pay.addEventListener('click', () => void payHold());
  shareBtn.addEventListener('click', () => void share());

  function render() {
    section.hidden = !offer;
    if (!offer) return;
    const o = offer;
    const now = ctx.clock.now();
    heading.textContent = t('groupbuy.heading');
    title.textContent = o.title;
    price.textContent = t('groupbuy.price', {
      price: money(o.groupPrice, o.currency),
      size: o.groupSize,
      list: money(o.listPrice, o.currency),
    });
    start.textContent = t('groupbuy.start');
    start.hidden = !!mine || now >= o.closesAt;
    const open = [...groups.values()].filter(
      (g) => g.offerId === o.id && g.status === 'open' && g.expiresAt > now,
    );
    list.replaceChildren(
      ...open.map((g) => {
        const li = el('li', { 'data-group-id': g.id });
        li.dataset.members = String(g.members);
        const text = el('span', { class: 'group-progress' });
        text.textContent = `${g.leader.name} · ${t('groupbuy.progress', { n: g.members, size: g.size })} · ${t(
          'groupbuy.endsIn',
          { time: countdown(g.expiresAt - now) },
        )}`;
        li.append(text);
        if (!mine) {
          const b = el('button', { type: 'button', class: 'group-join' });
          b.textContent = t('groupbuy.join');
          b.setAttribute(
            'aria-label',
            t('groupbuy.joinLabel', { leader: g.leader.name, n: g.members, size: g.size }),
          );
          b.addEventListener('click', () => void join(g.id));
          li.append(b);
        }
        return li;
      }),
    );
    empty.textContent = t('groupbuy.none');
    empty.hidden = open.length > 0 || !!mine;
    const g = mine ? groups.get(mine.groupId) : undefined;
    my.hidden = !mine;
    my.dataset.outcome = outcome ?? 'open';
    my.textContent =
      outcome === 'filled'
        ? t('groupbuy.filled')
        : outcome === 'expired'
          ? t('groupbuy.expired')
          : g
            ? t('groupbuy.mine', { n: g.members, size: g.size })
            : '';
    pay.hidden = !mine?.hold || mine.paid || outcome === 'expired';
    pay.disabled = !!mine?.paying;
    pay.textContent = mine?.paying
      ? t('groupbuy.paying')
      : t('groupbuy.pay', { price: money(o.groupPrice, o.currency) });
    shareBtn.hidden = !mine || outcome !== null;
    shareBtn.textContent = t('groupbuy.share');
    shareUrl.hidden = !mine?.link;
    shareUrl.setAttribute('aria-label', t('groupbuy.shareLabel'));
    shareUrl.value = mine?.link ?? '';
    status.textContent = mine?.paid ? t('groupbuy.paid') : error;
    status.className = mine?.paid ? '' : 'error';
  }

  function progress(p: Progress, st: GroupBuyGroup['status']) {
    const g = groups.get(p.groupId);
    const leader = (p as { leader?: GroupBuyGroup['leader'] }).leader ?? g?.leader ?? { id: '', name: '' };
    groups.set(p.groupId, {
      id: p.groupId,
      offerId: p.offerId,
      leader,
      size: p.size,
      members: p.members,
      status: st,
      expiresAt: p.expiresAt ?? g?.expiresAt ?? 0,
    });
    if (mine?.groupId === p.groupId && st !== 'open') outcome = st;
  }

  return {
    snapshot(s) {
      const snap = feature<GroupBuysSnapshot>(s, 'groupbuys');
      offer = snap?.offers.at(-1) ?? null;
      groups.clear();
      for (const g of snap?.groups ?? []) groups.set(g.id, g);
      const gid = offer ? snap?.mine[offer.id] : undefined;
      if (gid && mine?.groupId !== gid) mine = { groupId: gid, paid: false, paying: false };
      render();
    },
    event(e) {
      if (e.type === GROUPBUY_EVENT.offered) {
        offer = (e.data as { offer: GroupBuyOffer }).offer;
        mine = null;
        outcome = null;
      } else if (e.type === GROUPBUY_EVENT.progress) progress(e.data as Progress, 'open');
      else if (e.type === GROUPBUY_EVENT.filled) progress(e.data as Progress, 'filled');
      else if (e.type === GROUPBUY_EVENT.expired) progress(e.data as Progress, 'expired');
      else return;
      render();
    },
    fact(f) {
      if (f.name !== 'order:paid' || !mine?.hold) return;
      if ((f.payload.order as Order).reservationId !== mine.hold.reservationId) return;
      mine.paid = true;
      mine.paying = false;
      render();
    },
    tick: render,
    relabel: render,
  };
}
