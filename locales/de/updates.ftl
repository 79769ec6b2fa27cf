# Nach Geräte-Updates suchen und ihre Hinweise lesen (crates/app/updates).

## Fehler

updates-error-expired = Die Update-Informationen des Geräteherstellers sind veraltet, daher hat { -brand } ihnen nicht vertraut. Vielleicht erneuert der Hersteller sie nicht mehr, oder jemand hält neue Updates zurück. { -brand } versucht es später noch einmal.
updates-error-rollback = Die Update-Informationen sind älter als die, die { -brand } schon kennt, daher wurden sie nicht übernommen. Vielleicht versucht jemand, neuere Updates zu verstecken.
updates-error-bad-signature = Die Update-Informationen sind nicht vom Gerätehersteller signiert, daher hat { -brand } ihnen nicht vertraut.
updates-error-tampered = Eine Update-Datei hat die Sicherheitsprüfung nicht bestanden, daher hat { -brand } sie nicht verwendet. Sie wurde vielleicht unterwegs verändert.
updates-error-untrusted-server = Der Update-Server konnte nicht nachweisen, dass er zum Gerätehersteller gehört, daher hat { -brand } ihm nicht vertraut. Vielleicht stört jemand deine Verbindung.
updates-error-too-large = Eine Update-Datei ist größer als erlaubt, daher hat { -brand } sie nicht heruntergeladen.
updates-error-offline = { -brand } erreicht den Update-Dienst des Geräteherstellers nicht. Prüfe deine Internetverbindung. Deine Geräte in der Nähe kannst du weiter steuern.
updates-error-not-found = Dieses Update wird nicht mehr angeboten. Der Gerätehersteller hat es vielleicht zurückgezogen.
updates-error-bad-notice = Die Beschreibung dieses Updates ist unvollständig oder nicht lesbar, daher kann { -brand } sie nicht anzeigen.
updates-error-store = { -brand } kann keine Update-Informationen in { $path } speichern.
updates-error-invalid-config = { -brand } ist nicht richtig eingerichtet, um nach Updates zu suchen.
updates-error-internal = Bei der Suche nach Updates ist etwas schiefgelaufen. Bitte versuche es noch einmal.

## Aktualität

updates-last-checked = Zuletzt geprüft am { $date }
