/**
 * Like goals: the host sets thresholds (`like:goal:add`); each fires once (`goal:reached`) and can unlock a
 * coupon (the coupon form picks from these). Goals come from the snapshot and the host's own acks.
 */
import type { GoalReached, LikeGoal, LikesSnapshot } from '@lc/contracts/likes.schema';
import type { RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import {
  button,
  errorLine,
  field,
  input,
  keepFocus,
  num,
  type Panel,
  type StudioCtx,
  section,
  tr,
  val,
} from './ui';

export interface GoalsView extends Panel {
  goals(): LikeGoal[];
  onChange(fn: () => void): void;
}

export function goalsPanel(ctx: StudioCtx, mount: HTMLElement): GoalsView {
  const goals = new Map<string, LikeGoal>();
  const listeners: Array<() => void> = [];
  const list = el('ul', { id: 'goals', class: 'items' });
  const err = errorLine('goal-error');
  const form = el(
    'form',
    { id: 'goal-form' },
    ...field('goals.threshold', input('goal-threshold', { type: 'number', min: '1', required: '' })),
    ...field('goals.label', input('goal-label', { maxlength: '60' })),
    tr('button', 'goals.add', { type: 'submit' }),
  );
  mount.append(section('goals-panel', 'goals.title', form, err.line, list));

  form.onsubmit = (ev) => {
    ev.preventDefault();
    void err.run(async () => {
      const label = val('goal-label').trim();
      const r = await ctx.client.command<{ goal: LikeGoal }>('like:goal:add', {
        liveId: ctx.liveId,
        threshold: num('goal-threshold'),
        ...(label ? { label } : {}),
      });
      goals.set(r.goal.id, r.goal);
      form.reset();
      render();
    });
  };

  const render = () => {
    keepFocus(list, () =>
      list.replaceChildren(
        ...[...goals.values()]
          .sort((a, b) => a.threshold - b.threshold)
          .map((g) => {
            const remove = button('goals.remove');
            remove.onclick = () =>
              err.run(async () => {
                await ctx.client.command('like:goal:remove', { liveId: ctx.liveId, goalId: g.id });
                goals.delete(g.id);
                render();
              });
            return el(
              'li',
              { 'data-goal-id': g.id, 'data-reached': String(g.reachedAt !== null) },
              el('b', {}, `❤ ${g.threshold}`),
              g.label ? ` ${g.label}` : '',
              ` · ${g.reachedAt !== null ? t('goals.reached') : t('goals.pending')} `,
              remove,
            );
          }),
      ),
    );
    for (const fn of listeners) fn();
  };

  return {
    goals: () => [...goals.values()],
    onChange: (fn) => listeners.push(fn),
    onSnapshot(s: RoomSnapshot) {
      goals.clear();
      for (const g of (s.features.likes as LikesSnapshot | undefined)?.goals ?? []) goals.set(g.id, g);
      render();
    },
    onEvent(e: RoomEvent) {
      if (e.type !== 'goal:reached') return;
      const d = e.data as GoalReached;
      const g = goals.get(d.goal.id);
      if (g) g.reachedAt = e.at;
      else goals.set(d.goal.id, { ...d.goal, reachedAt: e.at });
      render();
    },
    onLang: render,
  };
}
