/** Tiny DOM helpers. User content only ever goes in through textContent — never innerHTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

export const $ = <T extends HTMLElement = HTMLElement>(sel: string) => {
  const n = document.querySelector<T>(sel);
  if (!n) throw new Error(`missing ${sel}`);
  return n;
};

export function show(sel: string, visible: boolean) {
  $(sel).hidden = !visible;
}

export function formError(sel: string, err: unknown) {
  const e = err as { code?: string; message?: string };
  $(sel).textContent = e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
}
