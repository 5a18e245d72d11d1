/** Video quality: Auto lets the server pick the simulcast layer; Low/Medium/High pin a preferred one. */
import { $ } from '../dom';
import type { Panel, ViewerCtx } from './panel';

export function qualityPanel(ctx: ViewerCtx): Panel {
  const select = $<HTMLSelectElement>('#quality');
  select.addEventListener('change', () => {
    ctx.client.setVideoLayer(select.value === 'auto' ? null : Number(select.value));
  });
  return {};
}
