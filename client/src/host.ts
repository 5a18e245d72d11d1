/** Host studio (minimal): log in or register, create a live, go live, announce, end. */
import type { AuthResponse } from '../../server/src/contracts/auth.schema';
import type { Live } from '../../server/src/contracts/live.schema';
import { $, el, formError, show } from './dom';
import { api, LiveClient, session } from './live-client';
import { roomView } from './room-view';
import './style.css';

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
      ? mine.map((l) => el('li', {}, el('a', { href: `?live=${l.id}` }, l.title), ` (${l.status})`))
      : [el('li', {}, 'No lives yet.')]),
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
  const client = new LiveClient(auth.token, id, roomView());
  ($('#viewer-link') as HTMLAnchorElement).href = `/?live=${id}`;
  const act = (fn: () => Promise<unknown>) =>
    fn().then(
      () => ($('#room-error').textContent = ''),
      (err) => formError('#room-error', err),
    );
  $('#start').onclick = () => act(() => client.command('live:start', { liveId: id }));
  $('#end').onclick = () => act(() => client.command('live:end', { liveId: id }));
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
