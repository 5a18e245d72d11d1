/** Viewer page: guest sign-in, pick a live, watch its room and its video (muted autoplay, then Unmute). */
import type { AuthResponse } from '../../server/src/contracts/auth.schema';
import type { CommentSendResult } from '../../server/src/contracts/comment.schema';
import type { Live } from '../../server/src/contracts/live.schema';
import { $, el, formError, show } from './dom';
import { api, device, LiveClient, session } from './live-client';
import { roomView, showOwnComment } from './room-view';
import './style.css';

const liveId = new URLSearchParams(location.search).get('live');

async function listLives() {
  show('#picker', true);
  const [live, scheduled] = await Promise.all([
    api<{ lives: Live[] }>('GET', '/api/lives?status=live'),
    api<{ lives: Live[] }>('GET', '/api/lives?status=scheduled'),
  ]);
  const items = [...live.lives, ...scheduled.lives].map((l) =>
    el('li', {}, el('a', { href: `?live=${l.id}` }, l.title), ` — ${l.hostName} (${l.status})`),
  );
  $('#lives').replaceChildren(...(items.length ? items : [el('li', {}, 'Nothing live yet.')]));
}

function enter(auth: AuthResponse) {
  show('#guest', false);
  if (!liveId) return void listLives();
  show('#room', true);
  const client = new LiveClient(auth.token, liveId, roomView());
  interact(client, liveId);
  const player = $<HTMLVideoElement>('#player');
  const unmute = $<HTMLButtonElement>('#unmute');
  client.enableMedia('watch', {
    onState(state, detail) {
      const s = $('#media-state');
      s.dataset.state = state;
      s.textContent = detail ? `${state} (${detail})` : state;
    },
    onStream(stream) {
      player.srcObject = stream;
      // NOTE: browsers autoplay muted video only; sound needs the click on Unmute.
      void player.play().catch(() => {});
    },
  });
  unmute.onclick = () => {
    player.muted = false;
    void player.play().catch(() => {});
    unmute.hidden = true;
  };
}

/** Comments (own ones shown from the ack) and likes batched to at most one message per second. */
function interact(client: LiveClient, id: string) {
  const input = $<HTMLInputElement>('#comment-text');
  $<HTMLFormElement>('#comment-form').onsubmit = async (ev) => {
    ev.preventDefault();
    try {
      const res = await client.command<CommentSendResult>('comment:send', { liveId: id, text: input.value });
      showOwnComment(res.comment);
      input.value = '';
      $('#comment-error').textContent = res.status === 'held' ? 'Your comment waits for a moderator.' : '';
    } catch (err) {
      formError('#comment-error', err);
    }
  };
  let taps = 0;
  $('#like').onclick = () => {
    taps++;
  };
  setInterval(() => {
    if (taps === 0) return;
    const count = taps;
    taps = 0;
    client.command('like:tap', { liveId: id, count }).catch(() => {});
  }, 1000);
}

const existing = session.get();
if (existing) enter(existing);
else {
  show('#guest', true);
  $<HTMLFormElement>('#guest-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const displayName = $<HTMLInputElement>('#guest-name').value;
    try {
      const auth = await api<AuthResponse>('POST', '/api/auth/guest', {
        displayName,
        deviceId: device.get(),
      });
      device.set(auth.deviceId);
      session.set(auth);
      enter(auth);
    } catch (err) {
      formError('#guest-error', err);
    }
  });
}
