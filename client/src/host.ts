/**
 * Host studio (minimal): log in or register, create a live, pick camera and microphone (with preview), go live —
 * the live client publishes them while the live is live — announce, end.
 */
import type { AuthResponse } from '../../server/src/contracts/auth.schema';
import type { Live } from '../../server/src/contracts/live.schema';
import { $, el, formError, show } from './dom';
import { api, LiveClient, session } from './live-client';
import type { MediaState } from './media';
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
  void setupMedia(client);
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

/** Camera and microphone: capture (secure pages only), preview, pickers; the client publishes while live. */
async function setupMedia(client: LiveClient) {
  const preview = $<HTMLVideoElement>('#preview');
  const camera = $<HTMLSelectElement>('#camera');
  const mic = $<HTMLSelectElement>('#mic');
  const error = $('#media-error');
  const showState = (state: MediaState, detail?: string) => {
    const s = $('#media-state');
    s.dataset.state = state;
    s.textContent = detail ? `${state} (${detail})` : state;
  };
  if (!navigator.mediaDevices?.getUserMedia) {
    error.textContent = window.isSecureContext
      ? 'This browser cannot capture a camera.'
      : 'The camera needs a secure page: open the studio over HTTPS (or on localhost).';
    return;
  }
  const capture = () =>
    navigator.mediaDevices.getUserMedia({
      video: camera.value ? { deviceId: { exact: camera.value } } : { width: 1280, height: 720 },
      audio: mic.value ? { deviceId: { exact: mic.value } } : true,
    });
  let stream: MediaStream;
  try {
    stream = await capture();
  } catch (err) {
    const e = err as Error;
    error.textContent = `Camera or microphone unavailable: ${e.name}: ${e.message}`;
    return;
  }
  preview.srcObject = stream;
  const devices = await navigator.mediaDevices.enumerateDevices();
  const fill = (select: HTMLSelectElement, kind: MediaDeviceKind, current?: string, noun = 'Device') => {
    const list = devices.filter((d) => d.kind === kind);
    select.replaceChildren(
      ...list.map((d, i) => {
        const o = el('option', { value: d.deviceId }, d.label || `${noun} ${i + 1}`);
        o.selected = d.deviceId === current;
        return o;
      }),
    );
  };
  fill(camera, 'videoinput', stream.getVideoTracks()[0]?.getSettings().deviceId, 'Camera');
  fill(mic, 'audioinput', stream.getAudioTracks()[0]?.getSettings().deviceId, 'Microphone');
  const change = async () => {
    try {
      const next = await capture();
      preview.srcObject = next;
      await client.setOutgoingStream(next);
      for (const t of stream.getTracks()) t.stop();
      stream = next;
      error.textContent = '';
    } catch (err) {
      formError('#media-error', err);
    }
  };
  camera.onchange = change;
  mic.onchange = change;
  client.enableMedia('publish', { onState: showState }, stream);
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
