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
flow-step-searching = Gerät wird gesucht …
flow-step-found = Gerät gefunden: { $name } ({ $model }).
flow-step-found-no-model = Gerät gefunden: { $name }.
flow-step-pairing = Einrichtungscode wird geprüft …
flow-step-checking-genuine = Es wird geprüft, ob das Gerät echt ist …
flow-step-sending-credentials = WLAN-Einstellungen und dein Besitzerschlüssel werden gesendet …
flow-step-joining-wifi = Das Gerät verbindet sich mit dem WLAN …
flow-step-done = Das Gerät ist eingerichtet.
flow-error-invalid-setup-code = Das ist kein gültiger Einrichtungscode. Prüfe den Code auf dem Etikett des Geräts.
flow-error-vendor-profile = Das Herstellerprofil konnte nicht gelesen werden.
flow-error-invalid-wifi = Diese WLAN-Einstellungen können nicht verwendet werden. Prüfe den WLAN-Namen und das Passwort.
flow-error-bluetooth-off = Bluetooth ist ausgeschaltet. Schalte es ein und versuche es noch einmal.
flow-error-no-adapter = Dieser Computer hat keinen Bluetooth-Adapter, der genutzt werden kann.
flow-error-out-of-range = Das Gerät wurde nicht gefunden. Geh näher an das Gerät heran, prüfe, ob es Strom hat, und versuche es noch einmal.
flow-error-could-not-connect = Das Gerät wurde gefunden, hat die Verbindung aber nicht angenommen. Versuche es noch einmal.
flow-error-link-lost = Die Verbindung zum Gerät ist abgebrochen. Geh näher heran und versuche es noch einmal.
flow-error-not-a-hearth-device = Dieses Gerät kann mit dieser App nicht eingerichtet werden.
flow-error-bluetooth = Bluetooth hat nicht wie erwartet funktioniert. Versuche es noch einmal.
flow-error-wrong-code = Dieser Einrichtungscode ist falsch. Verbleibende Versuche: { $attempts }.
flow-error-locked-until-button = Zu viele falsche Codes. Drücke die Taste am Gerät und versuche es dann noch einmal.
flow-error-locked-out = Zu viele falsche Codes. Versuche es in { $seconds } Sekunden noch einmal.
flow-error-pairing-window-closed = Das Gerät ist nicht bereit zum Koppeln. Drücke seine Taste und versuche es dann noch einmal.
flow-error-already-owned = Dieses Gerät hat schon einen Besitzer. Entferne es in der App, mit der es eingerichtet wurde, oder setze das Gerät zurück.
flow-error-declined = Die Einrichtung wurde vor dem Koppeln beendet. Keine deiner Einstellungen wurde an das Gerät gesendet.
flow-error-no-answer = Es kam keine Antwort, deshalb wurde das Gerät nicht eingerichtet. Keine deiner Einstellungen wurde gesendet. Versuche es noch einmal.
flow-error-not-genuine = Dieses Gerät konnte nicht beweisen, dass es echt ist. Verwende es nicht.
flow-error-not-authorised = Das Gerät nimmt diese App nicht mehr an. Vielleicht wurde es zurückgesetzt.
flow-error-wifi-wrong-passphrase = Das Gerät ist eingerichtet, aber das WLAN-Passwort ist falsch. Gib es noch einmal ein.
flow-error-wifi-no-network = Das Gerät ist eingerichtet, findet aber das WLAN { $ssid } nicht.
flow-error-wifi-no-answer = Das Gerät ist eingerichtet, hat aber nicht gemeldet, ob es im WLAN ist.
flow-error-unknown-device = Es gibt kein Gerät mit dem Namen { $device }.
flow-error-ambiguous-device = { $count } Geräte heißen { $device }. Nutze die Geräte-ID.
flow-error-forget-unreachable = Das Gerät war nicht erreichbar und konnte nicht zurückgesetzt werden. Deshalb wurde es nicht entfernt.
flow-error-keyring-unavailable = Der Schlüsselbund des Systems kann nicht genutzt werden. Entsperre ihn und versuche es noch einmal.
flow-error-owner-key-missing = Der Schlüssel für dieses Gerät fehlt im Schlüsselbund des Systems.
flow-error-database = Die Geräteliste konnte nicht gelesen oder gespeichert werden.
flow-error-protocol = Das Gerät hat so geantwortet, dass diese App es nicht versteht. Versuche es noch einmal.
cli-error-no-vendor-profile = Kein Herstellerprofil angegeben. Nutze --vendor-profile oder HEARTH_VENDOR_PROFILE.
cli-error-pass-file = Die Passwortdatei { $path } konnte nicht gelesen werden.
cli-wifi-joined = Das Gerät hat sich mit dem WLAN verbunden.
cli-pair-needs-accept-no-updates = Dieses Gerät wurde nicht eingerichtet, weil es jetzt oder bald keine Sicherheitsupdates bekommt. Um es trotzdem einzurichten, führe denselben Befehl mit --accept-no-updates aus.
cli-forget-reset = Das Gerät wurde zurückgesetzt und entfernt.
cli-forget-without-reset = Das Gerät wurde entfernt, aber nicht zurückgesetzt. Setze es direkt am Gerät zurück.
cli-forget-already-reset = Das Gerät war schon zurückgesetzt. Es wurde entfernt.
