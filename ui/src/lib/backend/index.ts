// The only module that talks to Rust. Everything else calls these typed
// functions; the types are generated from Rust (bindings.ts).
import { invoke } from '@tauri-apps/api/core';
import type {
  AboutInfo,
  DeviceSummary,
  ErrorCode,
  ErrorDto,
  LanguageChoice,
  LanguageState,
} from './bindings';

export type * from './bindings';

// A Record, so the type check fails when Rust adds a code this list lacks.
const CODES: Record<ErrorCode, true> = {
  'settings-save': true,
  'unknown-language': true,
  'devices-load': true,
  'folder-create': true,
  internal: true,
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

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw new BackendError(toErrorDto(e));
  }
}

export const getLanguage = () => call<LanguageState>('get_language');
export const setLanguage = (choice: LanguageChoice) => call<LanguageState>('set_language', { choice });
export const getAbout = () => call<AboutInfo>('get_about');
export const listDevices = () => call<DeviceSummary[]>('list_devices');
