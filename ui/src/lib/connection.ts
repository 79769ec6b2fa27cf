// Plain words for a device's live state, shared by Home and the device page.
import type { DeviceView } from './backend';
import { t } from './i18n.svelte';

export function connectionText(device: DeviceView): string {
  switch (device.connection) {
    case 'connected':
      return t('device-connection-connected');
    case 'checking':
      return t('device-connection-checking');
    case 'unreachable':
      return t('device-connection-unreachable');
    default:
      return t('device-connection-unknown');
  }
}

export function plugText(device: DeviceView): string {
  if (device.plug_on === null) return t('device-plug-unknown');
  return device.plug_on ? t('device-plug-on') : t('device-plug-off');
}
