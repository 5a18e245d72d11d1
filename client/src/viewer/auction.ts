/**
 * The auction panel in the shop sheet: the current auction's high bid and leader, a server-clock countdown,
 * the viewer's bid, the outbid notice, the hammer, and for the winner the pay button (the win is a commerce
 * reservation at the hammer price). Names and titles go in as text, never HTML.
 */
import type {
  Auction,
  AuctionBidEvent,
  AuctionBidResult,
  AuctionHammerEvent,
} from '@lc/contracts/auction.schema';
import type { PaymentStarted } from '@lc/contracts/commerce.schema';
import { $, el } from '../dom';
import { t } from '../i18n';
import { api } from '../live-client';
import { toast } from '../toast';
import { AUCTION_EVENT } from './events';
import { countdown, errorText, feature, money, type Panel, type ViewerCtx } from './panel';

const newKey = () =>
  crypto.randomUUID?.() ??
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/** The increment over `price` by the auction's table (as contracts' incrementAt, without shipping zod). */
const stepAt = (a: Auction, price: number) => {
  let step = a.increments[0]?.step ?? 1;
  for (const r of a.increments) if (price >= r.from) step = r.step;
  return step;
};

export function auctionPanel(ctx: ViewerCtx): Panel {
  const section = $('#auction');
  let a: Auction | null = null;
  let note = '';
  let won: { reservationId: string; price: number } | null = null;
  let paid = false;

  const heading = el('h3', { id: 'auction-heading' });
  const title = el('p', { id: 'auction-title', class: 'product-title' });
  const price = el('p', { id: 'auction-price' });
  const leader = el('p', { id: 'auction-leader' });
  const timer = el('p', { id: 'auction-countdown', class: 'countdown' });
  const label = el('label', { for: 'auction-amount' });
  const amount = el('input', { id: 'auction-amount', type: 'number', inputmode: 'numeric', min: '1' });
  const bid = el('button', { id: 'auction-bid', type: 'button', class: 'primary' });
  const pay = el('button', { id: 'auction-pay', type: 'button', class: 'primary' });
  const status = el('p', { id: 'auction-status', role: 'status', 'aria-live': 'polite' });
  section.append(heading, title, price, leader, timer, label, amount, bid, pay, status);

  const fmt = (minor: number) => money(minor, a?.currency ?? 'CNY');

  bid.addEventListener('click', async () => {
    if (!a) return;
    try {
      const r = await ctx.client.command<AuctionBidResult>('auction:bid', {
        liveId: ctx.liveId,
        auctionId: a.id,
        amount: Math.round(Number(amount.value) * 100),
      });
      note = r.leading
        ? t('auction.leading', { price: fmt(r.price) })
        : t('auction.outbid', { min: fmt(r.minBid) });
    } catch (err) {
      note = errorText(err);
    }
    render();
  });

  pay.addEventListener('click', async () => {
    if (!won) return;
    pay.disabled = true;
    try {
      await api<PaymentStarted>(
        'POST',
        `/api/lives/${ctx.liveId}/reservations/${won.reservationId}/pay`,
        { simulate: 'succeed' },
        ctx.auth.token,
        { 'idempotency-key': newKey() },
      );
    } catch (err) {
      pay.disabled = false;
      note = errorText(err);
      render();
    }
  });

  function render() {
    section.hidden = !a;
    if (!a) return;
    const now = ctx.clock.now();
    const open = a.status === 'open' && now < a.endsAt;
    section.dataset.status = a.status;
    heading.textContent = t('auction.heading');
    title.textContent = a.title;
    price.textContent =
      a.price === null
        ? t('auction.start', { price: fmt(a.startPrice) })
        : t('auction.price', { price: fmt(a.price) });
    price.dataset.price = String(a.price ?? '');
    leader.hidden = !a.leader;
    leader.textContent = a.leader ? t('auction.leader', { name: a.leader.name }) : '';
    timer.dataset.deadline = String(a.endsAt);
    timer.textContent = open ? t('auction.endsIn', { time: countdown(a.endsAt - now) }) : t('auction.ended');
    label.textContent = t('auction.amount');
    for (const n of [label, amount, bid]) n.hidden = !open;
    amount.min = String(a.minBid / 100);
    if (!amount.value || Number(amount.value) * 100 < a.minBid) amount.value = String(a.minBid / 100);
    bid.textContent = t('auction.bid');
    pay.hidden = !won || paid;
    pay.textContent = won ? t('auction.pay', { price: fmt(won.price) }) : '';
    status.textContent = paid ? t('auction.paid') : note;
  }

  return {
    snapshot(s) {
      a = feature<{ auctions: Auction[] }>(s, 'auctions')?.auctions[0] ?? null;
      render();
    },
    event(e) {
      if (e.type === AUCTION_EVENT.started) {
        a = (e.data as { auction: Auction }).auction;
        won = null;
        paid = false;
        note = '';
      } else if (!a || (e.data as { auctionId?: string }).auctionId !== a.id) return;
      else if (e.type === AUCTION_EVENT.bid) {
        const b = e.data as AuctionBidEvent;
        a = {
          ...a,
          price: b.price,
          leader: b.leader,
          endsAt: b.endsAt,
          bids: b.bids,
          minBid: b.price + stepAt(a, b.price),
        };
      } else if (e.type === AUCTION_EVENT.hammer || e.type === AUCTION_EVENT.offered) {
        const h = e.data as AuctionHammerEvent;
        a = { ...a, status: 'awarded', holder: h.holder, holderPrice: h.price };
        // NOTE: the personal `auction:won` may arrive before this room event: the winner keeps their own line.
        note =
          h.holder.id === ctx.auth.user.id
            ? t('auction.won', { price: fmt(h.price) })
            : t('auction.hammer', { name: h.holder.name, price: fmt(h.price) });
      } else if (e.type === AUCTION_EVENT.sold || e.type === AUCTION_EVENT.ended) {
        a = { ...a, status: e.type === AUCTION_EVENT.sold ? 'sold' : 'unsold' };
      }
      render();
    },
    fact(f) {
      if (f.name === 'auction:outbid' && a && f.payload.auctionId === a.id) {
        note = t('auction.outbid', { min: fmt(f.payload.minBid) });
        toast(note, 'info');
      } else if (f.name === 'auction:won' && a && f.payload.auctionId === a.id) {
        won = { reservationId: f.payload.reservationId, price: f.payload.price };
        note = t('auction.won', { price: fmt(f.payload.price) });
        toast(note, 'success');
      } else if (f.name === 'order:paid' && won && f.payload.order.reservationId === won.reservationId) {
        paid = true;
      } else return;
      render();
    },
    tick: render,
    relabel: render,
  };
}
