/**
 * Viewer app (mobile-first). Without `?live=`: the entry page (live cards; a guest name is generated, editable).
 * With it: the room — full-height video with chat, the docked product card and the action bar over it, sheets
 * for shop, lottery, Q&A and settings. A first visit watches at once under a generated guest name.
 */
import { $ } from './dom';
import { applyI18n, langSwitch } from './i18n';
import { applyIcons } from './icons';
import { ensureSession, nameForm } from './viewer/guest';
import { showLives } from './viewer/home';
import { errorText } from './viewer/panel';
import { enterRoom } from './viewer/room';
import './viewer/chrome-strings';
import './viewer/mechanics-strings';
import './viewer/strings';
import './styles/tokens.css';
import './styles/base.css';
import './styles/home.css';
import './styles/viewer.css';
import './styles/viewer-panels.css';
import './styles/viewer-sheets.css';

const liveId = new URLSearchParams(location.search).get('live');
const page = liveId ? '#room' : '#home';

document.querySelector(`${page} .lang-slot`)?.replaceWith(langSwitch());
applyIcons();
applyI18n();

async function start() {
  if (!liveId) {
    $('#home').hidden = false;
    try {
      const auth = await ensureSession();
      nameForm(auth, () => {});
      await showLives(auth);
    } catch (err) {
      $('#guest-error').textContent = errorText(err);
      await showLives(null).catch(() => {});
    }
    return;
  }
  // In the room the name form lives in the settings sheet; a new name is a new session: join again with it.
  $('#name-slot').replaceWith($('#guest-form'));
  try {
    const auth = await ensureSession();
    nameForm(auth, () => location.reload());
    enterRoom(auth, liveId);
  } catch (err) {
    $('#room').hidden = false;
    $('#comment-error').textContent = errorText(err);
  }
}
void start();
