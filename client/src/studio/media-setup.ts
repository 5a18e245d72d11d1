/** Camera and microphone: capture (secure pages only), preview, pickers; the live client publishes while live. */
import { $, el, formError } from '../dom';
import { onLangChange, t } from '../i18n';
import type { LiveClient } from '../live-client';
import type { MediaState } from '../media';

export async function setupMedia(client: LiveClient) {
  const preview = $<HTMLVideoElement>('#preview');
  const camera = $<HTMLSelectElement>('#camera');
  const mic = $<HTMLSelectElement>('#mic');
  const error = $('#media-error');
  let last: [MediaState, string?] | null = null;
  onLangChange(() => last && showState(...last));
  const showState = (state: MediaState, detail?: string) => {
    last = [state, detail];
    const s = $('#media-state');
    s.dataset.state = state;
    const label = t(`media.state.${state}`);
    s.textContent = detail ? `${label} (${detail})` : label;
  };
  if (!navigator.mediaDevices?.getUserMedia) {
    error.textContent = window.isSecureContext ? t('media.noCapture') : t('media.insecure');
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
    error.textContent = t('media.unavailable', { error: `${e.name}: ${e.message}` });
    return;
  }
  preview.srcObject = stream;
  const devices = await navigator.mediaDevices.enumerateDevices();
  const fill = (
    select: HTMLSelectElement,
    kind: MediaDeviceKind,
    current: string | undefined,
    nounKey: string,
  ) => {
    const list = devices.filter((d) => d.kind === kind);
    select.replaceChildren(
      ...list.map((d, i) => {
        const o = el('option', { value: d.deviceId }, d.label || `${t(nounKey)} ${i + 1}`);
        o.selected = d.deviceId === current;
        return o;
      }),
    );
  };
  fill(camera, 'videoinput', stream.getVideoTracks()[0]?.getSettings().deviceId, 'media.camera');
  fill(mic, 'audioinput', stream.getAudioTracks()[0]?.getSettings().deviceId, 'media.mic');
  const change = async () => {
    try {
      const next = await capture();
      preview.srcObject = next;
      await client.setOutgoingStream(next);
      for (const track of stream.getTracks()) track.stop();
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
