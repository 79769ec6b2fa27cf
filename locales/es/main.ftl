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
home-setup-unavailable = Esta versión de { -brand } todavía no puede configurar dispositivos. Una versión futura podrá.
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
