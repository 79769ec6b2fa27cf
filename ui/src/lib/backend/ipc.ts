// The only module that imports @tauri-apps: how a command is invoked and how a channel
// reaches a callback. The typed functions for each command are generated into bindings.ts
// from the one list of commands in Rust (src-tauri/src/ipc/list.rs).
import { Channel, invoke } from '@tauri-apps/api/core';

/** Invokes `command` with its arguments (or a raw body); a failure is rejected as is and
 * turned into an ErrorDto by `toErrorDto`. */
export function call<T>(command: string, args?: Record<string, unknown> | Uint8Array): Promise<T> {
  return invoke<T>(command, args);
}

/** A channel that hands each message to `onMessage`. */
export function channel<T>(onMessage: (message: T) => void): Channel<T> {
  const ch = new Channel<T>();
  ch.onmessage = onMessage;
  return ch;
}
