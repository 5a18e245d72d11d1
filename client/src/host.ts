/**
 * Host studio: log in or register, create a live, then run it — camera/mic with preview, go live / end,
 * announcements, and the studio panels (live figures, chat moderation, products, flash sales, coupons, lottery,
 * Q&A, polls, moderation). Panels live in ./studio; every label follows the zh-CN / en switch.
 */
import type { AuthResponse } from '@lc/contracts/auth.schema';
import type { Live } from '@lc/contracts/live.schema';
import { $, el, formError, show } from './dom';
import { applyI18n, langSwitch, onLangChange, t } from './i18n';
import { api, LiveClient, session } from './live-client';
import { roomView } from './room-view';
import { setupMedia } from './studio/media-setup';
import { createStudio } from './studio/studio';
import './studio/strings';
import './styles/tokens.css';
import './styles/base.css';
import './styles/studio.css';
import './styles/studio-panels.css';

const HOST_KEY = 'lc.host';
const liveId = new URLSearchParams(location.search).get('live');

function hostSession(): AuthResponse | null {
  const s = session.get();
  return s && s.user.role === 'host' && localStorage.getItem(HOST_KEY) === s.user.id ? s : null;
}

async function showLives(auth: AuthResponse) {
  show('#lives-panel', true);
  const { lives } = await api<{ lives: Live[] }>('GET', '/api/lives?limit=100');
  const mine = lives.filter((l) => l.hostId === auth.user.id);
  $('#lives').replaceChildren(
    ...(mine.length
      ? mine.map((l) =>
          el(
            'li',
            {},
            el(
              'span',
              { class: l.status === 'live' ? 'badge badge-live' : 'badge' },
              t(`room.status.${l.status}`),
            ),
            el('a', { href: `?live=${l.id}` }, l.title),
          ),
        )
      : [el('li', { 'data-i18n': 'lives.none' }, t('lives.none'))]),
  );
  $<HTMLFormElement>('#create-form').onsubmit = async (ev) => {
    ev.preventDefault();
    try {
      const live = await api<Live>(
        'POST',
        '/api/lives',
        { title: $<HTMLInputElement>('#live-title').value },
        auth.token,
      );
      location.search = `?live=${live.id}`;
    } catch (err) {
      formError('#create-error', err);
    }
  };
}

function studio(auth: AuthResponse, id: string) {
  show('#room', true);
  // The heading shows the live's title from now on (room-view sets it), not the translated page name.
  delete $('#title').dataset.i18n;
  let mediaStarted = false;
  const s = createStudio(roomView(), (role) => {
    // Only the host publishes: an appointed moderator's studio never opens the camera.
    if (role !== 'host' || mediaStarted) return;
    mediaStarted = true;
    void setupMedia(client);
  });
  const client = new LiveClient(auth.token, id, s.handlers);
  s.attach(client, id, auth.token);
  ($('#viewer-link') as HTMLAnchorElement).href = `/?live=${id}`;
  const act = (fn: () => Promise<unknown>) =>
    fn().then(
      () => ($('#room-error').textContent = ''),
      (err) => formError('#room-error', err),
    );
  $('#start').onclick = () => act(() => client.command('live:start', { liveId: id }));
  $('#end').onclick = () => act(() => client.command('live:end', { liveId: id }));
  // A pinned announcement stays on every viewer's screen (`announcement:pinned`) until unpinned.
  $('#announce-pin').onclick = () => {
    const input = $<HTMLInputElement>('#announce-text');
    if (!input.reportValidity()) return;
    act(async () => {
      await client.command('mod:pin', { liveId: id, text: input.value });
      input.value = '';
    });
  };
  $('#announce-unpin').onclick = () => act(() => client.command('mod:unpin', { liveId: id }));
  $<HTMLFormElement>('#announce-form').onsubmit = (ev) => {
    ev.preventDefault();
    const input = $<HTMLInputElement>('#announce-text');
    act(async () => {
      await client.command('live:announce', { liveId: id, text: input.value });
      input.value = '';
    });
  };
}

function enter(auth: AuthResponse) {
  show('#auth', false);
  if (liveId) studio(auth, liveId);
  else void showLives(auth);
}

$('#lang-slot').replaceWith(langSwitch());
applyI18n();
document.title = t('studio.title');
onLangChange(() => {
  document.title = t('studio.title');
});
const existing = hostSession();
if (existing) enter(existing);
else {
  show('#auth', true);
  $<HTMLFormElement>('#auth-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const action = ((ev as SubmitEvent).submitter as HTMLButtonElement | null)?.value ?? 'login';
    const body = {
      username: $<HTMLInputElement>('#username').value,
      password: $<HTMLInputElement>('#password').value,
      ...(action === 'register'
        ? {
            displayName: $<HTMLInputElement>('#display-name').value || $<HTMLInputElement>('#username').value,
          }
        : {}),
    };
    try {
      const auth = await api<AuthResponse>('POST', `/api/auth/${action}`, body);
      session.set(auth);
      localStorage.setItem(HOST_KEY, auth.user.id);
      enter(auth);
    } catch (err) {
      formError('#auth-error', err);
    }
  });
}
