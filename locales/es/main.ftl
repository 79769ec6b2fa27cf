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
flow-step-searching = Buscando el dispositivo…
flow-step-found = Dispositivo encontrado: { $name } ({ $model }).
flow-step-found-no-model = Dispositivo encontrado: { $name }.
flow-step-pairing = Comprobando el código de configuración…
flow-step-checking-genuine = Comprobando que el dispositivo es auténtico…
flow-step-sending-credentials = Enviando los ajustes del wifi y tu clave de propietario…
flow-step-joining-wifi = Esperando a que el dispositivo se conecte al wifi…
flow-step-done = El dispositivo está configurado.
flow-error-invalid-setup-code = Ese no es un código de configuración válido. Revisa el código en la etiqueta del dispositivo.
flow-error-vendor-profile = No se pudo leer el perfil del fabricante.
flow-error-invalid-wifi = No se pueden usar esos ajustes del wifi. Revisa el nombre de la red y la contraseña.
flow-error-bluetooth-off = El Bluetooth está apagado. Enciéndelo y vuelve a intentarlo.
flow-error-no-adapter = Este ordenador no tiene ningún adaptador Bluetooth que se pueda usar.
flow-error-out-of-range = No se encontró el dispositivo. Acércate, comprueba que tenga corriente y vuelve a intentarlo.
flow-error-could-not-connect = Se encontró el dispositivo, pero no aceptó la conexión. Vuelve a intentarlo.
flow-error-link-lost = Se perdió la conexión con el dispositivo. Acércate y vuelve a intentarlo.
flow-error-not-a-hearth-device = Este dispositivo no se puede configurar con esta aplicación.
flow-error-bluetooth = El Bluetooth no funcionó como se esperaba. Vuelve a intentarlo.
flow-error-wrong-code = Ese código de configuración no es correcto. Intentos restantes: { $attempts }.
flow-error-locked-until-button = Demasiados códigos incorrectos. Pulsa el botón del dispositivo y vuelve a intentarlo.
flow-error-locked-out = Demasiados códigos incorrectos. Vuelve a intentarlo dentro de { $seconds } segundos.
flow-error-pairing-window-closed = El dispositivo no está listo para vincularse. Pulsa su botón y vuelve a intentarlo.
flow-error-already-owned = Este dispositivo ya tiene propietario. Olvídalo en la aplicación con la que se configuró o restablece el dispositivo.
flow-error-declined = La configuración se detuvo antes de vincular. No se envió ninguno de tus ajustes al dispositivo.
flow-error-no-answer = No llegó ninguna respuesta, así que el dispositivo no se configuró. No se le envió ninguno de tus ajustes. Vuelve a intentarlo.
flow-error-not-genuine = Este dispositivo no pudo demostrar que es auténtico. No lo uses.
flow-error-not-authorised = El dispositivo ya no acepta esta aplicación. Puede que se haya restablecido.
flow-error-wifi-wrong-passphrase = El dispositivo está configurado, pero la contraseña del wifi no es correcta. Escríbela otra vez.
flow-error-wifi-no-network = El dispositivo está configurado, pero no encuentra la red wifi { $ssid }.
flow-error-wifi-no-answer = El dispositivo está configurado, pero no indicó si se conectó al wifi.
flow-error-unknown-device = No hay ningún dispositivo llamado { $device }.
flow-error-ambiguous-device = Hay { $count } dispositivos llamados { $device }. Usa el ID del dispositivo.
flow-error-forget-unreachable = No se pudo conectar con el dispositivo para restablecerlo, así que no se olvidó.
flow-error-keyring-unavailable = No se puede usar el llavero del sistema. Desbloquéalo y vuelve a intentarlo.
flow-error-owner-key-missing = Falta la clave de este dispositivo en el llavero del sistema.
flow-error-database = No se pudo leer ni guardar la lista de dispositivos.
flow-error-protocol = El dispositivo respondió de una forma que esta aplicación no entiende. Vuelve a intentarlo.
cli-error-no-vendor-profile = No se indicó ningún perfil del fabricante. Usa --vendor-profile o HEARTH_VENDOR_PROFILE.
cli-error-pass-file = No se pudo leer el archivo de contraseña { $path }.
cli-wifi-joined = El dispositivo se conectó al wifi.
cli-pair-needs-accept-no-updates = Este dispositivo no se configuró porque no recibe actualizaciones de seguridad, o dejará de recibirlas pronto. Para configurarlo de todos modos, ejecuta el mismo comando con --accept-no-updates.
cli-forget-reset = El dispositivo se restableció y se olvidó.
cli-forget-without-reset = El dispositivo se olvidó, pero no se restableció. Restablécelo en el propio dispositivo.
cli-forget-already-reset = El dispositivo ya estaba restablecido. Se olvidó.
