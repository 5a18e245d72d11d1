/**
 * Inline SVG icons for the UI chrome (no icon font, no emoji: both depend on fonts a device may lack).
 * Paths follow Feather icons (MIT, feathericons.com) on a 24×24 grid; built with DOM calls, never markup strings.
 * Icons are decoration: `aria-hidden`, the button or link around them carries the name.
 */
const SVG = 'http://www.w3.org/2000/svg';

type Shape = ['path', string] | ['circle', number, number, number];

const ICONS = {
  heart: [
    [
      'path',
      'M20.8 4.6a5.5 5.5 0 0 0-7.8 0L12 5.7l-1-1.1a5.5 5.5 0 0 0-7.8 7.8l1 1.1L12 21l7.8-7.5 1-1.1a5.5 5.5 0 0 0 0-7.8z',
    ],
  ],
  share: [
    ['path', 'M4 12v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8'],
    ['path', 'M16 6l-4-4-4 4'],
    ['path', 'M12 2v13'],
  ],
  bag: [
    ['path', 'M6 2L3 6v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6l-3-4z'],
    ['path', 'M3 6h18'],
    ['path', 'M16 10a4 4 0 0 1-8 0'],
  ],
  gift: [
    ['path', 'M20 12v10H4V12'],
    ['path', 'M2 7h20v5H2z'],
    ['path', 'M12 22V7'],
    ['path', 'M12 7H7.5a2.5 2.5 0 0 1 0-5C11 2 12 7 12 7z'],
    ['path', 'M12 7h4.5a2.5 2.5 0 0 0 0-5C13 2 12 7 12 7z'],
  ],
  question: [
    ['circle', 12, 12, 10],
    ['path', 'M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3'],
    ['path', 'M12 17h.01'],
  ],
  more: [
    ['circle', 12, 12, 1],
    ['circle', 19, 12, 1],
    ['circle', 5, 12, 1],
  ],
  close: [
    ['path', 'M18 6L6 18'],
    ['path', 'M6 6l12 12'],
  ],
  eye: [
    ['path', 'M1 12s4-8 11-8 11 8 11 8-4 8-11 8-11-8-11-8z'],
    ['circle', 12, 12, 3],
  ],
  muted: [
    ['path', 'M11 5L6 9H2v6h4l5 4V5z'],
    ['path', 'M23 9l-6 6'],
    ['path', 'M17 9l6 6'],
  ],
  clock: [
    ['circle', 12, 12, 10],
    ['path', 'M12 6v6l4 2'],
  ],
  send: [
    ['path', 'M22 2L11 13'],
    ['path', 'M22 2l-7 20-4-9-9-4 20-7z'],
  ],
} satisfies Record<string, Shape[]>;

export type IconName = keyof typeof ICONS;

export function icon(name: IconName, filled = false): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', filled ? 'icon filled' : 'icon');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const shape of ICONS[name] as Shape[]) {
    const node = document.createElementNS(SVG, shape[0]);
    if (shape[0] === 'path') node.setAttribute('d', shape[1]);
    else {
      node.setAttribute('cx', String(shape[1]));
      node.setAttribute('cy', String(shape[2]));
      node.setAttribute('r', String(shape[3]));
    }
    svg.append(node);
  }
  return svg;
}

/** Puts an icon in front of every `[data-icon]` element's content (static markup). */
export function applyIcons(root: ParentNode = document): void {
  for (const n of root.querySelectorAll<HTMLElement>('[data-icon]')) {
    if (n.querySelector(':scope > svg.icon')) continue;
    n.prepend(icon(n.dataset.icon as IconName, n.hasAttribute('data-icon-filled')));
  }
}
