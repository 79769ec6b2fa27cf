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
home-setup-unavailable = Diese Version von { -brand } kann noch keine Geräte einrichten. Eine spätere Version kann es.
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
