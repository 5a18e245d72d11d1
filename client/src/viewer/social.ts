/** Follow the host (`follow:set`, count from `follow:count`) and share a link that credits this viewer. */
import type { FollowState, ShareLink, SocialSnapshot } from '@lc/contracts/social.schema';
import { $, el } from '../dom';
import { t } from '../i18n';
import { toast } from '../toast';
import { errorText, feature, type Panel, type ViewerCtx } from './panel';

export function socialPanel(ctx: ViewerCtx): Panel {
  const follow = $<HTMLButtonElement>('#follow');
  const followers = $('#followers');
  const share = $<HTMLButtonElement>('#share');
  const link = $('#share-link');
  let following = false;
  let count = 0;

  const render = () => {
    follow.textContent = following ? t('social.following') : t('social.follow');
    follow.setAttribute('aria-pressed', String(following));
    followers.textContent = t('social.followers', { n: count });
  };

  follow.addEventListener('click', async () => {
    try {
      const r = await ctx.client.command<FollowState>('follow:set', {
        liveId: ctx.liveId,
        follow: !following,
      });
      following = r.following;
      count = r.followers;
      render();
    } catch (err) {
      followers.textContent = errorText(err);
    }
  });
  share.addEventListener('click', async () => {
    try {
      const r = await ctx.client.command<ShareLink>('share:create', { liveId: ctx.liveId });
      link.replaceChildren(el('a', { href: r.url }, r.url));
      link.hidden = false;
      const copied = await navigator.clipboard?.writeText(r.url).then(
        () => true,
        () => false,
      );
      toast(copied ? t('social.copied') : t('social.link', { url: r.url }), 'success');
    } catch (err) {
      link.hidden = false;
      link.textContent = errorText(err);
      toast(link.textContent, 'error');
    }
  });

  return {
    snapshot(s) {
      $('#host-avatar').textContent = [...s.live.hostName][0] ?? '';
      const snap = feature<SocialSnapshot>(s, 'social');
      following = snap?.following ?? false;
      count = snap?.followers ?? 0;
      render();
    },
    fact(f) {
      if (f.name !== 'follow:count') return;
      count = f.payload.followers;
      render();
    },
    relabel: render,
  };
}
