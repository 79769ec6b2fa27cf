# Was der Gerätehersteller über ein Gerät veröffentlicht.

## Errors

support-error-not-configured = { -brand } ist nicht mit dem Dienst des Geräteherstellers verbunden und kann daher nicht zeigen, was der Hersteller über dieses Gerät veröffentlicht.
support-error-profile-invalid = Die Einstellungen für den Dienst des Geräteherstellers ({ $path }) können nicht gelesen werden.
support-error-unavailable = Der Dienst des Geräteherstellers ist nicht erreichbar, und { -brand } hat diese Angaben noch nie gespeichert. Prüfe deine Internetverbindung und versuche es noch einmal.
support-error-untrusted = Der Dienst des Geräteherstellers konnte nicht nachweisen, wer er ist, daher hat { -brand } ihm nicht vertraut. Vielleicht stört jemand deine Verbindung.
support-error-tampered = Die Angaben des Geräteherstellers haben die Sicherheitsprüfung nicht bestanden, daher hat { -brand } sie nicht angezeigt. Sie wurden vielleicht unterwegs oder auf diesem Computer verändert.
support-error-unknown-model = Der Gerätehersteller veröffentlicht nichts über das Modell { $model }.

## Support period

support-updates-until = Sicherheitsupdates bis { $date }
support-not-updatable = Dieses Gerät kann nicht aktualisiert werden
support-ending-soon = Die Sicherheitsupdates für dieses Gerät enden bald, am { $date }. Plane einen Ersatz ein.
support-ended = Die Sicherheitsupdates für dieses Gerät endeten am { $date }. Es erhält keine Sicherheitskorrekturen mehr.
support-why-heading = Warum
support-advice-heading = So bleibt es sicher
support-replacement-heading = Ersatz

## Freshness

support-last-checked = Zuletzt geprüft am { $date }
support-offline = Der Dienst des Geräteherstellers ist gerade nicht erreichbar. Dies sind die Angaben, die { -brand } früher gespeichert hat.

## What this device collects

support-collects-title = Was dieses Gerät erfasst
support-collects-data-use = Wie deine Daten verwendet werden
support-collects-controller = Verantwortlich: { $controller }
support-collects-personal-data = Personenbezogene Daten: { $list }
support-collects-no-personal-data = Keine personenbezogenen Daten.
support-collects-none = Dieses Gerät sendet keine Daten an seinen Hersteller.
support-collects-field = Daten
support-collects-description = Was es ist
support-collects-purpose = Wozu
support-collects-recipient = Wer sie erhält
support-collects-retention = Aufbewahrt für
support-collects-personal = Personenbezogen
support-collects-anonymisation = Wie sie geschützt werden
support-collects-retention-days = { $days ->
    [one] { $days } Tag
   *[other] { $days } Tage
}
support-yes = Ja
support-no = Nein

## Report a security problem

support-contact-title = Sicherheitsproblem melden
support-contact-intro = Wenn du glaubst, ein Sicherheitsproblem in diesem Gerät oder in { -brand } gefunden zu haben, melde es dem Gerätehersteller:
support-contact-policy = So geht der Hersteller mit Meldungen um: { $url }
support-contact-policy-label = So geht der Hersteller mit Meldungen um:
support-contact-languages = Du kannst schreiben auf: { $languages }
support-contact-expired = Diese Kontaktangaben sind am { $date } abgelaufen; sie sind möglicherweise nicht mehr aktuell.
