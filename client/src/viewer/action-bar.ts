/**
 * The action bar's badges: products in the live on Shop, entrants on Lottery (shown while a lottery or a prize
 * exists). Read from what the panels rendered on each tick, so the bar holds no copy of the room's state.
 */
import { $ } from '../dom';
import type { Panel } from './panel';

/** Writes only a change (the tick runs four times a second). */
function put(node: HTMLElement, text: string) {
  if (node.textContent !== text) node.textContent = text;
}

export function actionBar(): Panel {
  const shopCount = $('#shop-count');
  const lotteryOpen = $('#lottery-open');
  const lotteryCount = $('#lottery-count');
  const lottery = $('#lottery');
  const prizes = $('#prizes');
  return {
    tick() {
      const products = document.querySelectorAll('#catalog-list > li').length;
      shopCount.hidden = products === 0;
      put(shopCount, String(products));
      lotteryOpen.hidden = lottery.hidden && prizes.hidden;
      const entrants = lottery.hidden
        ? ''
        : (document.querySelector<HTMLElement>('#lottery-entrants')?.dataset.count ?? '');
      lotteryCount.hidden = !entrants;
      put(lotteryCount, entrants);
    },
  };
}
