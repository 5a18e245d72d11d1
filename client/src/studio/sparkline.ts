/** A tiny inline-SVG line chart of the last N samples (no library): built with DOM calls, never markup strings. */
const SVG = 'http://www.w3.org/2000/svg';

export function sparkline(label: string, width = 160, height = 36) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('role', 'img');
  svg.setAttribute('class', 'spark');
  const title = document.createElementNS(SVG, 'title');
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '1.5');
  svg.append(title, line);
  const setLabel = (text: string) => {
    title.textContent = text;
    svg.setAttribute('aria-label', text);
  };
  setLabel(label);
  return {
    svg,
    setLabel,
    /** Redraws from the samples (oldest first); the y axis runs from 0 to the largest sample. */
    draw(samples: number[]) {
      const max = Math.max(1, ...samples);
      const step = samples.length > 1 ? width / (samples.length - 1) : 0;
      const pts = samples.map(
        (v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`,
      );
      line.setAttribute('points', pts.join(' '));
      svg.dataset.last = String(samples.at(-1) ?? 0);
    },
  };
}
