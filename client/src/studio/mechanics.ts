/**
 * Auction and group-buy controls of the host studio: open an auction on a product, offer a product to groups,
 * and a log of the outcomes as room events report them (the hammer, sold / no sale, groups filled / expired).
 */
import type { RoomEvent } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import './mechanics-strings';
import type { ProductsView } from './products';
import {
  errorLine,
  field,
  hostOnly,
  input,
  minor,
  money,
  num,
  type Panel,
  type StudioCtx,
  section,
  tr,
  val,
} from './ui';

type Outcome = { auctionId?: string; holder?: { name: string }; price?: number; reason?: string } & {
  members?: number;
  size?: number;
  refunds?: number;
};

export function mechanicsPanel(ctx: StudioCtx, mount: HTMLElement, products: ProductsView): Panel {
  const err = errorLine('mech-error');
  const productSelect = el('select', { id: 'mech-product', name: 'mech-product', required: '' });
  const auctionForm = el(
    'form',
    { id: 'auction-form' },
    ...field(
      'mech.startPrice',
      input('auction-start', { type: 'number', min: '0.01', step: '0.01', value: '10' }),
    ),
    ...field(
      'mech.duration',
      input('auction-duration', { type: 'number', min: '5', max: '3600', value: '30' }),
    ),
    tr('button', 'mech.auction', { type: 'submit' }),
  );
  const groupForm = el(
    'form',
    { id: 'groupbuy-form' },
    ...field(
      'mech.groupPrice',
      input('groupbuy-price', { type: 'number', min: '0.01', step: '0.01', value: '15' }),
    ),
    ...field('mech.groupSize', input('groupbuy-size', { type: 'number', min: '2', max: '50', value: '3' })),
    ...field('mech.units', input('groupbuy-units', { type: 'number', min: '2', value: '30' })),
    ...field('mech.limit', input('groupbuy-limit', { type: 'number', min: '5', max: '86400', value: '600' })),
    tr('button', 'mech.groupbuy', { type: 'submit' }),
  );
  const log = el('ol', { id: 'mech-log', 'aria-live': 'polite' });
  mount.append(
    hostOnly(
      section(
        'mechanics-panel',
        'mech.title',
        ...field('mech.product', productSelect),
        auctionForm,
        groupForm,
        err.line,
        tr('h3', 'mech.log'),
        log,
      ),
    ),
  );

  const fill = () => {
    const keep = productSelect.value;
    productSelect.replaceChildren(...products.products().map((p) => el('option', { value: p.id }, p.title)));
    if (keep) productSelect.value = keep;
  };
  products.onChange(fill);
  const currencyOf = () => products.products().find((p) => p.id === productSelect.value)?.currency ?? 'CNY';

  auctionForm.onsubmit = (ev) => {
    ev.preventDefault();
    void err.run(() =>
      ctx.client.command('auction:create', {
        liveId: ctx.liveId,
        productId: productSelect.value,
        startPrice: minor(val('auction-start')),
        durationSec: num('auction-duration'),
      }),
    );
  };
  groupForm.onsubmit = (ev) => {
    ev.preventDefault();
    void err.run(() =>
      ctx.client.command('groupbuy:offer', {
        liveId: ctx.liveId,
        productId: productSelect.value,
        groupPrice: minor(val('groupbuy-price')),
        groupSize: num('groupbuy-size'),
        units: num('groupbuy-units'),
        limitSec: num('groupbuy-limit'),
      }),
    );
  };

  const note = (type: string, text: string) => log.append(el('li', { 'data-type': type }, text));
  return {
    onSnapshot() {
      fill();
    },
    onEvent(e: RoomEvent) {
      const d = e.data as Outcome;
      if (e.type === 'auction:hammer' || e.type === 'auction:offered')
        note(
          e.type,
          t('mech.hammer', { name: d.holder?.name ?? '', price: money(d.price ?? 0, currencyOf()) }),
        );
      else if (e.type === 'auction:sold') note(e.type, t('mech.sold'));
      else if (e.type === 'auction:ended') note(e.type, t('mech.ended', { reason: d.reason ?? '' }));
      else if (e.type === 'groupbuy:filled')
        note(e.type, t('mech.filled', { n: d.members ?? 0, size: d.size ?? 0 }));
      else if (e.type === 'groupbuy:expired')
        note(e.type, t('mech.expired', { n: d.members ?? 0, size: d.size ?? 0, refunds: d.refunds ?? 0 }));
    },
    onLang: fill,
  };
}
