/**
 * "My prizes": the lottery prizes offered to this viewer in this live (`lottery:prizes`, loaded on every join and
 * on `lottery:won`), each with its status and claim deadline; an offered one has a shipping-address form that
 * claims it (`lottery:claim`) and then shows what was issued (a coupon claim or a zero-price prize order).
 * Rows are built once and updated in place, so the countdown ticks without touching what the user is typing.
 */
import type { MyPrize, PrizeClaimBody } from '@lc/contracts/lottery.schema';
import { $, el } from '../dom';
import { lang, t } from '../i18n';
import { toast } from '../toast';
import { countdown, errorText, type Panel, type ViewerCtx } from './panel';

type Field = keyof PrizeClaimBody;
const FIELDS: Field[] = ['name', 'phone', 'address'];

interface Row {
  li: HTMLLIElement;
  update(p: MyPrize, now: number): void;
}

const keyOf = (p: MyPrize) => `${p.lotteryId}:${p.slot}:${p.attempt}`;

/** Writes only a change: the tick re-renders often and a live region must not re-announce the same text. */
function put(node: HTMLElement, text: string) {
  if (node.textContent !== text) node.textContent = text;
}

export function prizesPanel(ctx: ViewerCtx): Panel {
  const section = $('#prizes');
  const heading = el('h2', { id: 'prizes-heading' });
  const ul = el('ul', { id: 'prize-list', class: 'plain' });
  section.append(heading, ul);
  let prizes = new Map<string, MyPrize>();
  const rows = new Map<string, Row>();

  async function load() {
    try {
      const r = await ctx.client.command<{ prizes: MyPrize[] }>('lottery:prizes', { liveId: ctx.liveId });
      prizes = new Map(r.prizes.filter((p) => p.liveId === ctx.liveId).map((p) => [keyOf(p), p]));
      render();
    } catch {
      // NOTE: best effort: the next join or `lottery:won` loads them again.
    }
  }

  async function claim(p: MyPrize, shipping: PrizeClaimBody): Promise<string> {
    try {
      const r = await ctx.client.command<{ prize: MyPrize }>('lottery:claim', {
        liveId: ctx.liveId,
        lotteryId: p.lotteryId,
        shipping,
      });
      prizes.set(keyOf(r.prize), r.prize);
      render();
      return '';
    } catch (err) {
      const code = (err as { code?: string }).code;
      // The offer changed under us (claimed in another tab, deadline passed): show its true status.
      if (code === 'PRIZE_NOT_CLAIMABLE') void load();
      return code === 'VALIDATION' ? t('prizes.invalid') : errorText(err);
    }
  }

  function row(key: string, first: MyPrize): Row {
    const id = `prize-${key.replaceAll(':', '-')}`;
    const title = el('b', { class: 'prize-title' });
    const what = el('span', { class: 'prize-what' });
    const status = el('p', { class: 'prize-status', role: 'status', 'aria-live': 'polite', tabindex: '-1' });
    const timer = el('p', { class: 'countdown prize-deadline' });
    const issued = el('p', { class: 'prize-issued order' });
    const legend = el('legend');
    const inputs = {} as Record<Field, HTMLInputElement | HTMLTextAreaElement>;
    const labels = {} as Record<Field, HTMLLabelElement>;
    const fieldset = el('fieldset', {}, legend);
    for (const f of FIELDS) {
      const input =
        f === 'address'
          ? el('textarea', { rows: '2', maxlength: '300', autocomplete: 'street-address' })
          : el('input', {
              type: f === 'phone' ? 'tel' : 'text',
              maxlength: f === 'phone' ? '32' : '80',
              autocomplete: f === 'phone' ? 'tel' : 'name',
            });
      input.id = `${id}-${f}`;
      input.name = f;
      input.required = true;
      inputs[f] = input;
      labels[f] = el('label', { for: input.id });
      fieldset.append(labels[f], input);
    }
    const submit = el('button', { type: 'submit', class: 'primary' });
    const error = el('p', { class: 'error', role: 'alert', id: `${id}-error` });
    // NOTE: our own required-field check (not the browser's bubble) so the message is a sentence in the page.
    const form = el('form', { class: 'prize-form', 'aria-describedby': error.id }, fieldset, submit, error);
    form.noValidate = true;
    const li = el(
      'li',
      { 'data-lottery-id': first.lotteryId },
      title,
      ' ',
      what,
      status,
      timer,
      issued,
      form,
    );

    let busy = false;
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const p = prizes.get(key);
      if (!p || busy) return;
      const shipping = Object.fromEntries(FIELDS.map((f) => [f, inputs[f].value.trim()])) as PrizeClaimBody;
      const missing = FIELDS.filter((f) => !shipping[f]);
      for (const f of FIELDS) inputs[f].setAttribute('aria-invalid', String(missing.includes(f)));
      if (missing.length) {
        error.textContent = t('prizes.missing', { fields: missing.map((f) => t(`prizes.${f}`)).join(', ') });
        inputs[missing[0]!].focus();
        return;
      }
      busy = true;
      submit.disabled = true;
      error.textContent = '';
      error.textContent = await claim(p, shipping);
      busy = false;
      submit.disabled = false;
      // The form is gone once claimed: keep the keyboard focus on the row's new status.
      if (form.hidden) status.focus();
    });

    return {
      li,
      update(p, now) {
        const open = p.status === 'awarded' && now < p.claimDeadline;
        li.dataset.status = p.status;
        put(title, p.title);
        put(what, p.prize.kind === 'coupon' ? t('prizes.coupon') : t('prizes.product'));
        put(
          status,
          p.status === 'claimed'
            ? t('prizes.claimed')
            : p.status === 'forfeited' || !open
              ? t('prizes.forfeited')
              : t('prizes.offered'),
        );
        timer.hidden = !open;
        timer.dataset.deadline = String(p.claimDeadline);
        const date = new Intl.DateTimeFormat(lang(), { dateStyle: 'medium', timeStyle: 'short' });
        put(
          timer,
          t('prizes.claimBy', {
            date: date.format(p.claimDeadline),
            time: countdown(p.claimDeadline - now),
          }),
        );
        const is = p.issued;
        issued.hidden = p.status !== 'claimed' || !is;
        put(
          issued,
          !is
            ? ''
            : is.orderId
              ? t('prizes.issuedOrder', { order: is.orderId })
              : t('prizes.issuedCoupon', { n: is.couponClaimNo ?? 0 }),
        );
        form.hidden = !open;
        put(legend, t('prizes.shipping'));
        for (const f of FIELDS) put(labels[f], t(`prizes.${f}`));
        put(submit, t('prizes.claim'));
      },
    };
  }

  function render() {
    section.hidden = prizes.size === 0;
    heading.textContent = t('prizes.heading');
    const now = ctx.clock.now();
    for (const [key, p] of prizes) {
      const r = rows.get(key) ?? row(key, p);
      rows.set(key, r);
      r.update(p, now);
    }
    const wanted = [...prizes.keys()].map((k) => rows.get(k)!.li);
    // NOTE: re-insert only when the set changed: moving a row would drop the focus inside it.
    if (wanted.length !== ul.children.length || wanted.some((li, i) => ul.children[i] !== li)) {
      ul.replaceChildren(...wanted);
    }
  }

  return {
    conn(c) {
      if (c === 'online') void load();
    },
    fact(f) {
      if (f.name !== 'lottery:won') return;
      const p = f.payload.prize;
      prizes = new Map([[keyOf(p), p], ...[...prizes].filter(([k]) => k !== keyOf(p))]);
      render();
      toast(t('prizes.offeredToast'), 'success', {
        label: t('prizes.open'),
        run: () => ctx.sheets.open('lottery-sheet'),
      });
    },
    tick: render,
    relabel: render,
  };
}
