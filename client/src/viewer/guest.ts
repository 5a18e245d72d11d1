/**
 * Guest sessions without typing: a first visit signs in with a generated name ("Panda 4821" / "熊猫4821"); the
 * name form changes it later. A new name is a new guest session on the same device id (guests are not stored,
 * and bans follow the device).
 */
import type { AuthResponse } from '@lc/contracts/auth.schema';
import { $ } from '../dom';
import { lang, t } from '../i18n';
import { api, device, session } from '../live-client';
import { errorText } from './panel';

const ANIMALS = {
  en: [
    'Panda',
    'Koala',
    'Otter',
    'Fox',
    'Owl',
    'Tiger',
    'Dolphin',
    'Penguin',
    'Lynx',
    'Heron',
    'Swan',
    'Hare',
  ],
  'zh-CN': ['熊猫', '考拉', '水獭', '狐狸', '猫头鹰', '老虎', '海豚', '企鹅', '山猫', '白鹭', '天鹅', '兔子'],
};

export function generatedName(): string {
  const zh = lang() === 'zh-CN';
  const names = ANIMALS[zh ? 'zh-CN' : 'en'];
  const animal = names[Math.floor(Math.random() * names.length)]!;
  const n = String(1000 + Math.floor(Math.random() * 9000));
  return zh ? `${animal}${n}` : `${animal} ${n}`;
}

export async function signIn(displayName: string): Promise<AuthResponse> {
  const auth = await api<AuthResponse>('POST', '/api/auth/guest', { displayName, deviceId: device.get() });
  device.set(auth.deviceId);
  session.set(auth);
  return auth;
}

/** The stored session, or a fresh guest one with a generated name. */
export async function ensureSession(): Promise<AuthResponse> {
  return session.get() ?? signIn(generatedName());
}

/** Only guest sessions are renamed here (a host or registered user keeps their account's name). */
export const isGuest = (auth: AuthResponse) => auth.user.role === 'viewer' && auth.user.id.startsWith('g_');

/**
 * Binds the name form (`#guest-form`) to the session: filled with the current name; saving signs in again
 * under the new one and calls `saved`.
 */
export function nameForm(auth: AuthResponse, saved: (auth: AuthResponse) => void): void {
  const form = $<HTMLFormElement>('#guest-form');
  const input = $<HTMLInputElement>('#guest-name');
  const status = $('#guest-status');
  const error = $('#guest-error');
  form.hidden = !isGuest(auth);
  input.value = auth.user.displayName;
  // NOTE: the form stays disabled until here, so nothing typed earlier is overwritten or sent without a session.
  for (const c of form.querySelectorAll<HTMLInputElement | HTMLButtonElement>('input, button'))
    c.disabled = false;
  form.dataset.name = auth.user.displayName;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = input.value.trim();
    try {
      const next = await signIn(name);
      form.dataset.name = next.user.displayName;
      status.textContent = t('guest.saved', { name: next.user.displayName });
      error.textContent = '';
      saved(next);
    } catch (err) {
      error.textContent = errorText(err);
    }
  });
}
