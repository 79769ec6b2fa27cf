// What the UI calls: the generated types and one typed function per command (bindings.ts,
// from Rust), and how failures become ErrorDtos. Nothing outside this folder imports
// @tauri-apps.
import { ERROR_CODES, unwatchDevices, watchDevices, type DeviceView, type ErrorDto } from './bindings';

export * from './bindings';

function isErrorDto(e: unknown): e is ErrorDto {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return (
    typeof o.message_id === 'string' &&
    typeof o.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(o.code) &&
    Array.isArray(o.args)
  );
}

/** Any failure as an ErrorDto: the app's own, or `core.internal` for anything else. */
export function toErrorDto(e: unknown): ErrorDto {
  if (isErrorDto(e)) return e;
  console.error('unexpected backend failure', e);
  return { code: 'core.internal', message_id: 'error-internal', args: [] };
}

/** Calls `onChange` with the device list now and whenever it changes (no polling).
 * Returns a function that stops watching. */
export async function followDevices(onChange: (devices: DeviceView[]) => void): Promise<() => void> {
  let live = true;
  const id = await watchDevices((devices) => {
    if (live) onChange(devices);
  });
  return () => {
    live = false;
    void unwatchDevices(id).catch(() => {});
  };
}
