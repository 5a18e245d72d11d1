/**
 * Moderation: chat settings (slow mode, followers-only, buyers-only), actions by user id (unmute, unban,
 * un-shadow, appoint / revoke moderator), the moderators, keyword lists (block / mask / hold) and the audit log.
 */
import type { ChatSettings, CommentsSnapshot, KeywordList } from '@lc/contracts/comment.schema';
import type { ModerationAction, ModerationSnapshot } from '@lc/contracts/moderation.schema';
import type { RoomEvent, RoomSnapshot } from '@lc/contracts/room.schema';
import { el } from '../dom';
import { t } from '../i18n';
import {
  button,
  checkbox,
  checked,
  errorLine,
  field,
  hostOnly,
  input,
  keepFocus,
  num,
  type Panel,
  type StudioCtx,
  section,
  select,
  tr,
  val,
} from './ui';

export function moderationPanel(ctx: StudioCtx, mount: HTMLElement): Panel {
  const { client, liveId } = ctx;
  const moderators = new Set<string>();
  const err = errorLine('mod-error');

  const settingsForm = el(
    'form',
    { id: 'chat-settings-form' },
    ...field('mod.slowMode', input('slow-mode', { type: 'number', min: '0', max: '3600', value: '0' })),
    checkbox('followers-only', 'mod.followersOnly'),
    checkbox('buyers-only', 'mod.buyersOnly'),
    tr('button', 'mod.apply', { type: 'submit' }),
  );
  settingsForm.onsubmit = (ev) => {
    ev.preventDefault();
    void err.run(() =>
      client.command('chat:settings', {
        liveId,
        slowModeSec: num('slow-mode'),
        followersOnly: checked('followers-only'),
        buyersOnly: checked('buyers-only'),
      }),
    );
  };
  const showSettings = (s: ChatSettings) => {
    (document.getElementById('slow-mode') as HTMLInputElement).value = String(s.slowModeSec);
    (document.getElementById('followers-only') as HTMLInputElement).checked = s.followersOnly;
    (document.getElementById('buyers-only') as HTMLInputElement).checked = s.buyersOnly;
  };

  const userId = input('mod-user', { maxlength: '64' });
  const userAct = (key: string, fn: (id: string) => Promise<unknown>) => {
    const b = button(key);
    b.onclick = () => err.run(() => fn(userId.value.trim()));
    return b;
  };
  const userRow = el(
    'div',
    { class: 'row', id: 'mod-user-actions' },
    ...field('mod.userId', userId),
    hostOnly(userAct('mod.appoint', (id) => client.command('mod:appoint', { liveId, userId: id }))),
    hostOnly(userAct('mod.revoke', (id) => client.command('mod:revoke', { liveId, userId: id }))),
    userAct('mod.unmute', (id) => client.command('mod:unmute', { liveId, userId: id })),
    userAct('mod.unban', (id) => client.command('mod:unban', { liveId, userId: id })),
    userAct('mod.unshadow', (id) => client.command('mod:shadow', { liveId, userId: id, on: false })),
  );
  const modList = el('ul', { id: 'moderators', class: 'items' });

  const kwAction = select('kw-action', [
    ['block', 'mod.kw.block'],
    ['mask', 'mod.kw.mask'],
    ['hold', 'mod.kw.hold'],
  ]);
  const kwTerms = el('textarea', { id: 'kw-terms', name: 'kw-terms', rows: '3' });
  const kwForm = el(
    'form',
    { id: 'keyword-form' },
    ...field(
      'mod.kw.name',
      input('kw-name', { required: '', pattern: '[a-z0-9_\\-]{1,32}', value: 'default' }),
    ),
    ...field('mod.kw.action', kwAction),
    ...field('mod.kw.terms', kwTerms),
    tr('button', 'mod.kw.save', { type: 'submit' }),
  );
  const kwList = el('ul', { id: 'keyword-lists', class: 'items' });
  let lists: KeywordList[] = [];
  const loadLists = () =>
    err.run(async () => {
      lists = (await ctx.rest<{ lists: KeywordList[] }>('GET', '/keywords')).lists;
      renderLists();
    });
  const renderLists = () =>
    keepFocus(kwList, () =>
      kwList.replaceChildren(
        ...lists.map((l) => {
          const del = button('mod.kw.delete');
          del.onclick = () =>
            err.run(async () => {
              await ctx.rest('DELETE', `/keywords/${encodeURIComponent(l.name)}`);
              await loadLists();
            });
          const edit = button('mod.kw.edit');
          edit.onclick = () => {
            (document.getElementById('kw-name') as HTMLInputElement).value = l.name;
            kwAction.value = l.action;
            kwTerms.value = l.terms.join('\n');
            kwTerms.focus();
          };
          return el(
            'li',
            { 'data-list': l.name },
            el('b', {}, l.name),
            ` · ${t(`mod.kw.${l.action}`)} · ${t('mod.kw.count', { n: l.terms.length })} `,
            edit,
            del,
          );
        }),
      ),
    );
  kwForm.onsubmit = (ev) => {
    ev.preventDefault();
    void err.run(async () => {
      const terms = kwTerms.value
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean);
      await ctx.rest('PUT', `/keywords/${encodeURIComponent(val('kw-name'))}`, {
        action: kwAction.value,
        terms,
      });
      await loadLists();
    });
  };

  const audit = el('table', { id: 'mod-audit', class: 'mod-audit' });
  const loadAudit = button('mod.audit.refresh');
  let actions: ModerationAction[] = [];
  loadAudit.onclick = () =>
    err.run(async () => {
      actions = (await ctx.rest<{ actions: ModerationAction[] }>('GET', '/moderation/actions?limit=50'))
        .actions;
      renderAudit();
    });
  const renderAudit = () =>
    audit.replaceChildren(
      el(
        'tr',
        {},
        ...['mod.audit.at', 'mod.audit.by', 'mod.audit.action', 'mod.audit.target'].map((k) =>
          tr('th', k, { scope: 'col' }),
        ),
      ),
      ...actions.map((a) =>
        el(
          'tr',
          {},
          el('td', {}, new Date(a.at).toLocaleTimeString()),
          el('td', {}, a.actorName),
          el('td', { 'data-action': a.action }, t(`mod.action.${a.action}`)),
          el(
            'td',
            {},
            a.targetUserId ? (ctx.names.get(a.targetUserId) ?? a.targetUserId) : (a.targetCommentId ?? ''),
          ),
        ),
      ),
    );

  mount.append(
    section(
      'mod-panel',
      'mod.title',
      tr('h3', 'mod.settings'),
      settingsForm,
      tr('h3', 'mod.users'),
      userRow,
      hostOnly(tr('h3', 'mod.moderators')),
      hostOnly(modList),
      tr('h3', 'mod.keywords'),
      kwForm,
      kwList,
      hostOnly(tr('h3', 'mod.audit')),
      hostOnly(loadAudit),
      hostOnly(audit),
      err.line,
    ),
  );

  const renderMods = () =>
    keepFocus(modList, () =>
      modList.replaceChildren(
        ...(moderators.size
          ? [...moderators].map((id) => {
              const revoke = button('mod.revoke');
              revoke.onclick = () => err.run(() => client.command('mod:revoke', { liveId, userId: id }));
              return el('li', { 'data-user-id': id }, ctx.names.get(id) ?? id, ' ', revoke);
            })
          : [tr('li', 'mod.noModerators', { class: 'muted' })]),
      ),
    );

  return {
    onSnapshot(s: RoomSnapshot) {
      const cs = s.features.comments as CommentsSnapshot | undefined;
      if (cs) showSettings(cs.settings);
      moderators.clear();
      for (const id of (s.features.moderation as ModerationSnapshot | undefined)?.moderators ?? [])
        moderators.add(id);
      renderMods();
      void loadLists();
    },
    onEvent(e: RoomEvent) {
      if (e.type === 'chat:settings') showSettings(e.data as ChatSettings);
      const d = e.data as { userId?: string };
      if (e.type === 'moderator:appointed' && d.userId) moderators.add(d.userId);
      else if (e.type === 'moderator:revoked' && d.userId) moderators.delete(d.userId);
      else return;
      renderMods();
    },
    onLang() {
      renderMods();
      renderLists();
      if (actions.length) renderAudit();
    },
  };
}
