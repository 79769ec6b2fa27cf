// The setup steps by name, in the reader's language. The stable ids (`pairing`, …) stay in
// the page's data attributes and in the diagnostics report, for support staff.
import { t } from './i18n.svelte';

const NAMES: Record<string, () => string> = {
  code: () => t('setup-step-code'),
  wifi: () => t('setup-step-wifi'),
  'wifi-retry': () => t('setup-step-wifi-retry'),
  searching: () => t('setup-step-searching'),
  found: () => t('setup-step-found'),
  confirm: () => t('setup-step-confirm'),
  pairing: () => t('setup-step-pairing'),
  checking_genuine: () => t('setup-step-checking-genuine'),
  sending_credentials: () => t('setup-step-sending-credentials'),
  joining_wifi: () => t('setup-step-joining-wifi'),
  done: () => t('setup-step-done'),
};

/** The step `id` as the reader reads it; an id this UI does not know shows itself. */
export function stepName(id: string): string {
  return NAMES[id]?.() ?? id;
}
