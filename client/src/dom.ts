/**
 * Tiny DOM helpers. User content only ever goes in through textContent — never innerHTML — and URLs users gave
 * only through attributes (`setUserUrl`).
 */
import { userUrlProblem } from '@lc/contracts/url';

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

/**
 * Sets a URL a user gave (a product image) as attribute `attr`, or removes it when the URL is not an http(s) URL
 * by the shared rules (the server already refused those; this keeps a bad stored one out of the page). Returns
 * whether it was set.
 */
export function setUserUrl(node: Element, attr: 'src' | 'href', url: string | null | undefined): boolean {
  const ok = !!url && userUrlProblem(url, { allowHttp: true }) === null;
  if (ok) node.setAttribute(attr, url);
  else node.removeAttribute(attr);
  return ok;
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
