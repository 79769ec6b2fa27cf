# Hearth — Español

-brand = Hearth

## Window and navigation
app-title = { -brand }
skip-to-content = Ir al contenido principal
nav-label = Menú principal
nav-home = Dispositivos
nav-settings = Ajustes
nav-about = Acerca de

## Home
home-title = Tus dispositivos
home-empty-title = Todavía no hay dispositivos
home-empty-body = Configura tu primer dispositivo. Después podrás controlarlo aquí, incluso sin internet.
home-setup-button = Configurar un dispositivo
home-device-model = Modelo: { $model }
home-device-firmware = Versión del software { $version }

## Settings
settings-title = Ajustes
settings-language = Idioma
settings-language-help = { -brand } muestra todos sus textos en este idioma.
settings-language-system = Igual que este ordenador ({ $language })
settings-saved = Guardado.

## Language names, each in its own language
language-en = English
language-de = Deutsch
language-fr = Français
language-es = Español

## About
about-title = Acerca de { -brand }
about-intro = { -brand } te ayuda a configurar tus dispositivos inteligentes y a mantenerlos seguros.
about-version = Versión { $version }
about-licences-title = Componentes de código abierto
about-licences-summary = { -brand } está hecho con { $count } componentes de código abierto. Cada uno conserva su propia licencia.
about-licence-group = { $licence }: { $count ->
    [one] un componente
   *[other] { $count } componentes
  }

## Errors
error-title = Algo salió mal
error-folder-create = { -brand } no pudo crear una carpeta que necesita ({ $path }). Comprueba que tu disco no esté lleno.
error-settings-save = { -brand } no pudo guardar tus ajustes. Comprueba que tu disco no esté lleno y vuelve a intentarlo.
error-unknown-language = Ese idioma no está disponible.
error-devices-load = { -brand } no pudo leer su lista de dispositivos. Reinicia { -brand }.
error-internal = Algo salió mal dentro de { -brand }. Vuelve a intentarlo.

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
