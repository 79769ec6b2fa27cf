// The only module that talks to Rust. Everything else calls these typed
// functions; the types are generated from Rust (bindings.ts).
import { Channel, invoke } from '@tauri-apps/api/core';
import type {
  AboutInfo,
  CodeCheck,
  CollectsView,
  SecurityContactView,
  SupportView,
  DeviceView,
  DiagnosticsReport,
  ErrorCode,
  ErrorDto,
  LanguageChoice,
  LanguageState,
  SetupProgress,
  SetupRequest,
  SetupResult,
  WifiRequest,
} from './bindings';

export type * from './bindings';

// A Record, so the type check fails when Rust adds a code this list lacks.
const CODES: Record<ErrorCode, true> = {
  'settings-save': true,
  'unknown-language': true,
  'devices-load': true,
  'folder-create': true,
  internal: true,
  'invalid-setup-code': true,
  'label-photo': true,
  'vendor-profile': true,
  'invalid-wifi': true,
  'bluetooth-off': true,
  'no-adapter': true,
  'out-of-range': true,
  'could-not-connect': true,
  'link-lost': true,
  'not-a-hearth-device': true,
  bluetooth: true,
  'wrong-code': true,
  'locked-until-button': true,
  'locked-out': true,
  'pairing-window-closed': true,
  'already-owned': true,
  'not-genuine': true,
  'not-authorised': true,
  'wifi-wrong-passphrase': true,
  'wifi-no-network': true,
  'wifi-no-answer': true,
  'unknown-device': true,
  'forget-unreachable': true,
  'keyring-unavailable': true,
  'owner-key-missing': true,
  protocol: true,
  busy: true,
  declined: true,
  'no-answer': true,
  'support-not-configured': true,
  'support-unavailable': true,
  'support-refused': true,
  'support-unknown-model': true,
};

/** A command failed; `dto` names the Fluent message to show. */
export class BackendError extends Error {
  constructor(public readonly dto: ErrorDto) {
    super(dto.message_id);
  }
}

function isErrorDto(e: unknown): e is ErrorDto {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return typeof o.message_id === 'string' && typeof o.code === 'string' && o.code in CODES && Array.isArray(o.args);
}

/** Any failure as an ErrorDto: the app's own, or "internal" for anything else. */
export function toErrorDto(e: unknown): ErrorDto {
  if (e instanceof BackendError) return e.dto;
  if (isErrorDto(e)) return e;
  console.error('unexpected backend failure', e);
  return { code: 'internal', message_id: 'error-internal', args: [] };
}

async function call<T>(command: string, args?: Record<string, unknown> | Uint8Array): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw new BackendError(toErrorDto(e));
  }
}

export const getLanguage = () => call<LanguageState>('get_language');
export const setLanguage = (choice: LanguageChoice) => call<LanguageState>('set_language', { choice });
export const getAbout = () => call<AboutInfo>('get_about');

/** Calls `onChange` with the device list now and whenever it changes (no polling).
 * Returns a function that stops watching. */
export async function watchDevices(onChange: (devices: DeviceView[]) => void): Promise<() => void> {
  const channel = new Channel<DeviceView[]>();
  channel.onmessage = onChange;
  const id = await call<number>('watch_devices', { onChange: channel });
  return () => {
    channel.onmessage = () => {};
    void call<void>('unwatch_devices', { id }).catch(() => {});
  };
}

export const checkSetupCode = (code: string) => call<CodeCheck>('check_setup_code', { code });

/** The photo's bytes go as the raw request body. */
export const decodeLabelPhoto = (bytes: Uint8Array) => call<string>('decode_label_photo', bytes);

export function setUpDevice(request: SetupRequest, onProgress: (step: SetupProgress) => void): Promise<SetupResult> {
  const channel = new Channel<SetupProgress>();
  channel.onmessage = onProgress;
  return call<SetupResult>('set_up_device', { request, onProgress: channel });
}

/** Answers the question a running setup asked (a progress step named `confirm`). */
export const answerSetup = (goOn: boolean) => call<boolean>('answer_setup', { goOn });

export const refreshDevice = (id: string) => call<DeviceView>('refresh_device', { id });
export const setPlug = (id: string, on: boolean) => call<DeviceView>('set_plug', { id, on });
export const setDeviceWifi = (id: string, request: WifiRequest) => call<DeviceView>('set_device_wifi', { id, request });
export const forgetDevice = (id: string) => call<void>('forget_device', { id });
export const getDiagnostics = () => call<DiagnosticsReport>('get_diagnostics');

export const getSupport = (model: string) => call<SupportView>('get_support', { model });
export const getCollects = (model: string) => call<CollectsView>('get_collects', { model });
export const getSecurityContact = () => call<SecurityContactView>('get_security_contact');
