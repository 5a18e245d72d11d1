/**
 * zh-CN / en strings. Each screen area registers its own dictionary (`defineStrings`) so areas don't share a file;
 * static markup carries `data-i18n="key"` (text) or `data-i18n-label="key"` (aria-label) and is re-labelled by
 * `applyI18n` when the language changes. Dynamic views call `t()` and re-render from `onLangChange`.
 */
export type Lang = 'en' | 'zh-CN';
export const LANGS: Lang[] = ['en', 'zh-CN'];
const LANG_KEY = 'lc.lang';

type Dict = Record<string, string>;
const dicts: Record<Lang, Dict> = { en: {}, 'zh-CN': {} };
const listeners = new Set<(lang: Lang) => void>();

function initialLang(): Lang {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(LANG_KEY) : null;
  if (saved === 'en' || saved === 'zh-CN') return saved;
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'en';
  return nav.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

let current: Lang = initialLang();

/** Adds an area's strings; every key should exist in both languages (English is the fallback). */
export function defineStrings(strings: { en: Dict; 'zh-CN': Dict }): void {
  Object.assign(dicts.en, strings.en);
  Object.assign(dicts['zh-CN'], strings['zh-CN']);
}

/** The string for `key` in the current language, with `{name}` placeholders filled from `vars`. */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  const s = dicts[current][key] ?? dicts.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export const lang = (): Lang => current;

/** Keys defined in one language only, over every area's strings registered so far (the suite checks it). */
export function missingTranslations(): string[] {
  return [
    ...Object.keys(dicts.en).filter((k) => !(k in dicts['zh-CN'])),
    ...Object.keys(dicts['zh-CN']).filter((k) => !(k in dicts.en)),
  ];
}

export function setLang(next: Lang): void {
  if (next === current) return;
  current = next;
  localStorage.setItem(LANG_KEY, next);
  applyI18n();
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn: (lang: Lang) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Re-labels static markup under `root` (text via textContent only — never HTML). */
export function applyI18n(root: ParentNode = document): void {
  document.documentElement.lang = current;
  for (const n of root.querySelectorAll<HTMLElement>('[data-i18n]')) n.textContent = t(n.dataset.i18n!);
  for (const n of root.querySelectorAll<HTMLElement>('[data-i18n-label]')) {
    n.setAttribute('aria-label', t(n.dataset.i18nLabel!));
  }
  for (const n of root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) {
    n.placeholder = t(n.dataset.i18nPlaceholder!);
  }
}

defineStrings({
  en: { 'lang.label': 'Language', 'lang.en': 'English', 'lang.zh-CN': '中文' },
  'zh-CN': { 'lang.label': '语言', 'lang.en': 'English', 'lang.zh-CN': '中文' },
});

/** A labelled <select> that switches the language; mount it in the page header. */
export function langSwitch(): HTMLLabelElement {
  const label = document.createElement('label');
  label.className = 'lang-switch';
  const text = document.createElement('span');
  text.dataset.i18n = 'lang.label';
  text.textContent = t('lang.label');
  const select = document.createElement('select');
  select.id = 'lang';
  for (const l of LANGS) {
    const o = document.createElement('option');
    o.value = l;
    o.textContent = t(`lang.${l}`);
    o.selected = l === current;
    select.append(o);
  }
  select.onchange = () => setLang(select.value as Lang);
  label.append(text, ' ', select);
  return label;
}
