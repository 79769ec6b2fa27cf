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
home-setup-unavailable = This version of { -brand } cannot set up devices yet. A later version will.
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
