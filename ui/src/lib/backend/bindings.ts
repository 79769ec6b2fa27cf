// Generated from the Rust types in crates/app/core by its `bindings` test. Do not edit.

export type ErrorCode = "settings-save" | "unknown-language" | "devices-load" | "folder-create" | "internal" | "invalid-setup-code" | "label-photo" | "vendor-profile" | "invalid-wifi" | "bluetooth-off" | "no-adapter" | "out-of-range" | "could-not-connect" | "link-lost" | "not-a-hearth-device" | "bluetooth" | "wrong-code" | "locked-until-button" | "locked-out" | "pairing-window-closed" | "already-owned" | "not-genuine" | "not-authorised" | "wifi-wrong-passphrase" | "wifi-no-network" | "wifi-no-answer" | "unknown-device" | "forget-unreachable" | "keyring-unavailable" | "owner-key-missing" | "protocol" | "busy" | "declined" | "no-answer" | "support-not-configured" | "support-unavailable" | "support-refused" | "support-unknown-model";

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

export type CodeCheck = { 
/**
 * The code is complete and its check digit matches: setup may start.
 */
complete: boolean, 
/**
 * How many digits were typed (spaces and dashes ignored).
 */
digits: number, 
/**
 * How many digits a manual code has.
 */
expected: number, };

export type SetupProgress = { number: number, count: number, 
/**
 * A stable machine name (`searching`, `pairing`, …).
 */
name: string, message_id: string, args: Array<[string, string]>, };

export type SetupRequest = { 
/**
 * The 11-digit manual code or the QR payload from a label photo.
 */
code: string, wifi_ssid: string, wifi_passphrase: string, 
/**
 * Empty: keep the name the device reports.
 */
name: string, };

export type WifiRequest = { wifi_ssid: string, wifi_passphrase: string, };

export type Connection = "unknown" | "checking" | "connected" | "unreachable";

export type DeviceView = { id: string, name: string, model: string, firmware_version: string, connection: Connection, 
/**
 * Whether the plug is on, when known.
 */
plug_on: boolean | null, 
/**
 * The last temperature read, in hundredths of a degree Celsius.
 */
centi_celsius: number | null, 
/**
 * Why the last action on this device failed, if it did.
 */
last_error: ErrorDto | null, };

export type SetupResult = { device: DeviceView, wifi_error: ErrorDto | null, 
/**
 * The Wi-Fi name it was given (to prefill a retry).
 */
wifi_ssid: string, };

export type DiagnosticsReport = { text: string, };

export type SupportStatus = "supported" | "ending-soon" | "ended" | "not-updatable";

export type SupportView = { 
/**
 * The model id, e.g. `hearth-plug-1`.
 */
model: string, model_name: string, maker: string, updatable: boolean, 
/**
 * Last day of security updates (inclusive), ISO 8601 `YYYY-MM-DD`; `None` when the model
 * cannot be updated.
 */
security_updates_until: string | null, 
/**
 * Last day of the vendor's support period, `YYYY-MM-DD`: of security updates when the
 * model is updatable, else of the replacement promise in `replacement`.
 */
support_until: string, status: SupportStatus, 
/**
 * The vendor's support policy in plain words, in the requested language (English if the
 * vendor has none in it).
 */
policy: string, 
/**
 * Why the model cannot be updated (only when it cannot).
 */
rationale: string | null, 
/**
 * How to keep a non-updatable device safe, e.g. on a separate network.
 */
advice: string | null, 
/**
 * How the vendor replaces a non-updatable model.
 */
replacement: string | null, 
/**
 * When this was fetched from the vendor, in seconds since the Unix epoch.
 */
last_checked: number, 
/**
 * Whether the service could not be reached and this is the saved copy.
 */
from_cache: boolean, };

export type DataUseView = { 
/**
 * Who is responsible for the data.
 */
controller: string, 
/**
 * The personal data processed, in plain words (may be empty).
 */
personal_data: Array<string>, 
/**
 * What is done with it, by whom and why, in the requested language.
 */
statement: string, };

export type CollectedField = { 
/**
 * The field's technical name, e.g. `pairing_failures`.
 */
name: string, 
/**
 * What it is, in the requested language (English if the vendor has none in it).
 */
description: string, purpose: string, 
/**
 * Who receives it.
 */
recipient: string, 
/**
 * How long the vendor keeps it, in days.
 */
retention_days: number, 
/**
 * Whether it is personal data.
 */
personal: boolean, 
/**
 * How it is minimised or anonymised.
 */
anonymisation: string, };

export type CollectsView = { model: string, model_name: string, data_use: DataUseView, fields: Array<CollectedField>, 
/**
 * When this was fetched from the vendor, in seconds since the Unix epoch.
 */
last_checked: number, 
/**
 * Whether the service could not be reached and this is the saved copy.
 */
from_cache: boolean, };

export type SecurityContactView = { 
/**
 * `mailto:` or `https:` addresses, most preferred first.
 */
contacts: Array<string>, 
/**
 * Address of the vulnerability disclosure policy.
 */
policy: string | null, 
/**
 * When the vendor's file stops being valid, RFC 3339.
 */
expires: string, 
/**
 * The `YYYY-MM-DD` of `expires`, for "expired on { $date }".
 */
expires_date: string, 
/**
 * Whether `expires` has passed: the contact may be out of date.
 */
expired: boolean, 
/**
 * Languages the vendor reads reports in (BCP 47 tags).
 */
preferred_languages: Array<string>, 
/**
 * Where the file is published.
 */
canonical: string | null, 
/**
 * When this was fetched from the vendor, in seconds since the Unix epoch.
 */
last_checked: number, 
/**
 * Whether the service could not be reached and this is the saved copy.
 */
from_cache: boolean, };
