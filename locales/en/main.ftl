# Hearth — English, the source language. Short sentences, everyday words.

-brand = Hearth

## Window and navigation
app-title = { -brand }
skip-to-content = Skip to main content
nav-label = Main menu
nav-home = Devices
nav-settings = Settings
nav-about = About

## Home
home-title = Your devices
home-empty-title = No devices yet
home-empty-body = Set up your first device. Then you can control it here, even without internet.
home-setup-button = Set up a device
home-device-model = Model: { $model }
home-device-firmware = Software version { $version }

## Settings
settings-title = Settings
settings-language = Language
settings-language-help = { -brand } uses this language for all its words.
settings-language-system = Same as this computer ({ $language })
settings-saved = Saved.

## Language names, each in its own language
language-en = English
language-de = Deutsch
language-fr = Français
language-es = Español

## About
about-title = About { -brand }
about-intro = { -brand } helps you set up your smart devices and keep them safe.
about-version = Version { $version }
about-licences-title = Open-source parts
about-licences-summary = { -brand } is built with { $count } open-source parts. Each one keeps its own licence.
about-licence-group = { $licence }: { $count ->
    [one] one part
   *[other] { $count } parts
  }

## Errors
error-title = Something went wrong
error-folder-create = { -brand } could not create a folder it needs ({ $path }). Check that your disk is not full.
error-settings-save = { -brand } could not save your settings. Check that your disk is not full, then try again.
error-unknown-language = That language is not available.
error-devices-load = { -brand } could not read its list of devices. Please restart { -brand }.
error-internal = Something went wrong inside { -brand }. Please try again.

## Setup and control flows (app and `hearth` CLI)
flow-step-searching = Looking for the device…
flow-step-found = Found { $name } ({ $model }).
flow-step-found-no-model = Found { $name }.
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
flow-error-wrong-code = That setup code is wrong. Attempts left: { $attempts }.
flow-error-locked-until-button = Too many wrong codes. Press the button on the device, then try again.
flow-error-locked-out = Too many wrong codes. Try again in { $seconds } seconds.
flow-error-pairing-window-closed = The device is not ready to pair. Press its button, then try again.
flow-error-already-owned = This device already has an owner. Forget it in the app that set it up, or reset the device.
flow-error-declined = The setup stopped before pairing. None of your settings were sent to the device.
flow-error-no-answer = No answer came, so the device was not set up. None of your settings were sent to it. Try again.
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
cli-pair-needs-accept-no-updates = This device was not set up, because it gets no security updates now or soon. To set it up anyway, run the same command with --accept-no-updates.
cli-forget-reset = The device was reset and forgotten.
cli-forget-without-reset = The device was forgotten, but not reset. Reset it on the device itself.
cli-forget-already-reset = The device had already been reset. It was forgotten.
