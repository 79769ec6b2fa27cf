# Hearth — Français

-brand = Hearth

## Window and navigation
app-title = { -brand }
skip-to-content = Aller au contenu principal
nav-label = Menu principal
nav-home = Appareils
nav-settings = Réglages
nav-about = À propos

## Home
home-title = Vos appareils
home-empty-title = Aucun appareil pour l’instant
home-empty-body = Configurez votre premier appareil. Vous pourrez ensuite le commander ici, même sans internet.
home-setup-button = Configurer un appareil
home-setup-unavailable = Cette version de { -brand } ne sait pas encore configurer d’appareil. Une prochaine version le pourra.
home-device-model = Modèle : { $model }
home-device-firmware = Version du logiciel { $version }

## Settings
settings-title = Réglages
settings-language = Langue
settings-language-help = { -brand } affiche tous ses textes dans cette langue.
settings-language-system = Comme cet ordinateur ({ $language })
settings-saved = Enregistré.

## Language names, each in its own language
language-en = English
language-de = Deutsch
language-fr = Français
language-es = Español

## About
about-title = À propos de { -brand }
about-intro = { -brand } vous aide à configurer vos appareils connectés et à les garder sûrs.
about-version = Version { $version }
about-licences-title = Composants libres
about-licences-summary = { -brand } est fait de { $count } composants libres. Chacun garde sa propre licence.
about-licence-group = { $licence } : { $count ->
    [one] un composant
   *[other] { $count } composants
  }

## Errors
error-title = Un problème est survenu
error-folder-create = { -brand } n’a pas pu créer un dossier nécessaire ({ $path }). Vérifiez que votre disque n’est pas plein.
error-settings-save = { -brand } n’a pas pu enregistrer vos réglages. Vérifiez que votre disque n’est pas plein, puis réessayez.
error-unknown-language = Cette langue n’est pas disponible.
error-devices-load = { -brand } n’a pas pu lire sa liste d’appareils. Redémarrez { -brand }.
error-internal = Un problème est survenu dans { -brand }. Réessayez.
