import { describe, expect, it } from 'vitest';
import { buildBundle, languages } from './i18n.svelte';

describe('Fluent catalogue in the UI', () => {
  it('ships the same four languages as Rust', () => {
    expect(languages).toEqual(['de', 'en', 'es', 'fr']);
  });

  it('parses every locale and formats plurals and arguments', () => {
    for (const lang of languages) {
      const bundle = buildBundle(lang);
      const msg = bundle.getMessage('about-licence-group');
      expect(msg?.value, lang).toBeTruthy();
      const errors: Error[] = [];
      const one = bundle.formatPattern(msg!.value!, { licence: 'MIT', count: 1 }, errors);
      const many = bundle.formatPattern(msg!.value!, { licence: 'MIT', count: 7 }, errors);
      expect(errors, lang).toEqual([]);
      expect(one).toContain('MIT');
      expect(many).toContain('7');
      expect(one).not.toEqual(many);
    }
  });

  it('does not wrap arguments in isolation marks, like Rust', () => {
    const bundle = buildBundle('en');
    const text = bundle.formatPattern(bundle.getMessage('about-version')!.value!, { version: '1.2.3' });
    expect(text).toBe('Version 1.2.3');
  });
});
