# Hearth — Deutsch

-brand = Hearth

## Window and navigation
app-title = { -brand }
skip-to-content = Zum Inhalt springen
nav-label = Hauptmenü
nav-home = Geräte
nav-settings = Einstellungen
nav-about = Über

## Home
home-title = Deine Geräte
home-empty-title = Noch keine Geräte
home-empty-body = Richte dein erstes Gerät ein. Dann kannst du es hier steuern, auch ohne Internet.
home-setup-button = Gerät einrichten
home-device-model = Modell: { $model }
home-device-firmware = Softwareversion { $version }

## Settings
settings-title = Einstellungen
settings-language = Sprache
settings-language-help = { -brand } zeigt alle Texte in dieser Sprache.
settings-language-system = Wie dieser Computer ({ $language })
settings-saved = Gespeichert.

## Language names, each in its own language
language-en = English
language-de = Deutsch
language-fr = Français
language-es = Español

## About
about-title = Über { -brand }
about-intro = { -brand } hilft dir, deine smarten Geräte einzurichten und sicher zu halten.
about-version = Version { $version }
about-licences-title = Open-Source-Teile
about-licences-summary = { -brand } besteht aus { $count } Open-Source-Teilen. Jedes behält seine eigene Lizenz.
about-licence-group = { $licence }: { $count ->
    [one] ein Teil
   *[other] { $count } Teile
  }

## Errors
error-title = Etwas ist schiefgelaufen
error-folder-create = { -brand } konnte einen nötigen Ordner nicht anlegen ({ $path }). Prüfe, ob dein Speicher voll ist.
error-settings-save = { -brand } konnte deine Einstellungen nicht speichern. Prüfe, ob dein Speicher voll ist, und versuche es noch einmal.
error-unknown-language = Diese Sprache gibt es nicht.
error-devices-load = { -brand } konnte die Geräteliste nicht lesen. Bitte starte { -brand } neu.
error-internal = In { -brand } ist etwas schiefgelaufen. Bitte versuche es noch einmal.

## Setup and control flows (app and `hearth` CLI)
flow-step-searching = Looking for the device…
flow-step-found = Found { $name } ({ $model }).
flow-step-pairing = Checking the setup code…
flow-step-checking-genuine = Checking that the device is genuine…
flow-step-sending-credentials = Sending the Wi-Fi settings and your owner key…
flow-step-joining-wifi = Waiting for the device to join Wi-Fi…
flow-step-done = The device is set up.
flow-error-invalid-setup-code = That is not a valid setup code. Check the code on the device's label.
flow-error-vendor-profile = The vendor profile could not be read.
flow-error-invalid-wifi = Those Wi-Fi settings cannot be used. Check the network name and passphrase.
flow-error-bluetooth-off = Bluetooth is turned off. Turn it on and try again.
flow-error-no-adapter = This computer has no Bluetooth adapter that can be used.
flow-error-out-of-range = The device was not found. Move closer, check that it has power, and try again.
flow-error-could-not-connect = The device was found but did not accept the connection. Try again.
flow-error-link-lost = The connection to the device was lost. Move closer and try again.
flow-error-not-a-hearth-device = This device cannot be set up with this app.
flow-error-bluetooth = Bluetooth did not work as expected. Try again.
flow-error-wrong-code = That setup code is wrong. You have { $attempts } attempts left.
flow-error-locked-until-button = Too many wrong codes. Press the button on the device, then try again.
flow-error-locked-out = Too many wrong codes. Try again in { $seconds } seconds.
flow-error-pairing-window-closed = The device is not ready to pair. Press its button, then try again.
flow-error-already-owned = This device already has an owner. Forget it in the app that set it up, or reset the device.
flow-error-not-genuine = This device could not prove it is genuine. Do not use it.
flow-error-not-authorised = The device no longer accepts this app. It may have been reset.
flow-error-wifi-wrong-passphrase = The device is set up, but the Wi-Fi passphrase is wrong. Enter it again.
flow-error-wifi-no-network = The device is set up, but it cannot find the Wi-Fi network { $ssid }.
flow-error-wifi-no-answer = The device is set up, but did not say whether it joined Wi-Fi.
flow-error-unknown-device = There is no device called { $device }.
flow-error-ambiguous-device = { $count } devices are called { $device }. Use the device id.
flow-error-forget-unreachable = The device could not be reached to reset it, so it was not forgotten.
flow-error-keyring-unavailable = The system keyring cannot be used. Unlock it and try again.
flow-error-owner-key-missing = The key for this device is missing from the system keyring.
flow-error-database = The list of devices could not be read or saved.
flow-error-protocol = The device answered in a way this app does not understand. Try again.
cli-error-no-vendor-profile = No vendor profile given. Use --vendor-profile or HEARTH_VENDOR_PROFILE.
cli-error-pass-file = The passphrase file { $path } could not be read.
cli-wifi-joined = The device joined Wi-Fi.
cli-forget-reset = The device was reset and forgotten.
cli-forget-without-reset = The device was forgotten, but not reset. Reset it on the device itself.
cli-forget-already-reset = The device had already been reset. It was forgotten.
