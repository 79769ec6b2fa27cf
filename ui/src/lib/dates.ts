// Dates in the language in effect.
import { language } from './i18n.svelte';

/** A calendar date (`2030-12-31`) as people write it in the current language. */
export function formatDay(iso: string): string {
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(language(), { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

/** A moment (Unix seconds) with date and time, in the machine's time zone. */
export function formatMoment(unixSeconds: number): string {
  return new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(unixSeconds * 1000),
  );
}
