// Hearth's messages in the UI, from the same locales/ files Rust reads, with the
// same Fluent options (locales/fluent.json). Code names message ids only as
// string literals in t('…'), so the catalogue test can find every id in use.
import { FluentBundle, FluentResource, type FluentVariable } from '@fluent/bundle';
import options from '../../../locales/fluent.json';

const sources = import.meta.glob('../../../locales/*/*.ftl', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

export const SOURCE_LANGUAGE = 'en';

function localeOf(path: string): string {
  const parts = path.split('/');
  return parts[parts.length - 2] ?? '';
}

/** Every shipped language. */
export const languages: string[] = [...new Set(Object.keys(sources).map(localeOf))].sort();

/** Builds one language's bundle; syntax errors are reported, never hidden. */
export function buildBundle(lang: string): FluentBundle {
  const bundle = new FluentBundle(lang, { useIsolating: options.useIsolating });
  for (const [path, text] of Object.entries(sources)) {
    if (localeOf(path) !== lang) continue;
    const errors = bundle.addResource(new FluentResource(text));
    for (const e of errors) console.error(`locales/${lang}: ${e.message}`);
  }
  return bundle;
}

const bundles = new Map<string, FluentBundle>();
function bundleFor(lang: string): FluentBundle {
  let bundle = bundles.get(lang);
  if (!bundle) {
    bundle = buildBundle(lang);
    bundles.set(lang, bundle);
  }
  return bundle;
}

let current = $state(SOURCE_LANGUAGE);

/** The language in effect. Reading it in a template re-renders on change. */
export function language(): string {
  return current;
}

/** Switches the UI language (Rust decides which; this only follows). */
export function useLanguage(lang: string): void {
  current = languages.includes(lang) ? lang : SOURCE_LANGUAGE;
  document.documentElement.lang = current;
}

export type Args = Record<string, FluentVariable>;

/** The message `id` in the current language, falling back to English. An id
 * that no locale defines shows itself, so the defect is visible. */
export function t(id: string, args?: Args): string {
  for (const lang of [current, SOURCE_LANGUAGE]) {
    const bundle = bundleFor(lang);
    const message = bundle.getMessage(id);
    if (message?.value) {
      const errors: Error[] = [];
      const text = bundle.formatPattern(message.value, args ?? null, errors);
      for (const e of errors) console.error(`${lang}/${id}: ${e.message}`);
      return text;
    }
  }
  return id;
}

/** Each language's name in its own language. */
export function languageName(lang: string): string {
  switch (lang) {
    case 'de':
      return t('language-de');
    case 'fr':
      return t('language-fr');
    case 'es':
      return t('language-es');
    default:
      return t('language-en');
  }
}
