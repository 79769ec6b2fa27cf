// Generated from the Rust types in crates/core by its `bindings` test. Do not edit.

export type ErrorCode = "settings-save" | "unknown-language" | "devices-load" | "folder-create" | "internal";

export type ErrorDto = { code: ErrorCode, message_id: string, args: Array<[string, string]>, };

export type LanguageChoice = { "kind": "system" } | { "kind": "fixed", language: string, };

export type Settings = { language: LanguageChoice, };

export type LanguageState = { 
/**
 * What the user chose.
 */
choice: LanguageChoice, 
/**
 * The language in effect.
 */
effective: string, 
/**
 * What "follow the system" resolves to on this machine.
 */
system: string, 
/**
 * Every shipped language, source language first.
 */
available: Array<string>, };

export type DeviceSummary = { id: string, name: string, model: string, serial: string, firmware_version: string, };

export type Component = { name: string, version: string, 
/**
 * Where it comes from: `crates.io` or `npm`.
 */
source: string, 
/**
 * The SPDX licence expression it declares.
 */
license: string, };

export type LicenceGroup = { license: string, components: Array<Component>, };

export type AboutInfo = { version: string, component_count: number, licences: Array<LicenceGroup>, };
