# Den Einrichtungscode aus einem Foto des Geräteetiketts lesen (crates/flows/src/label.rs).

label-error-too-large = Dieses Bild ist zu groß. Wähle ein kleineres Foto oder gib stattdessen den 11-stelligen Einrichtungscode ein.
label-error-not-an-image = Diese Datei ist kein Bild. Wähle ein Foto des Etiketts als PNG- oder JPEG-Datei.
label-error-unsupported-format = { -brand } kann diese Art von Bild nicht öffnen. Speichere es als PNG- oder JPEG-Datei und versuche es noch einmal.
label-error-no-code-found = In diesem Bild wurde kein QR-Code gefunden. Vielleicht ist es unscharf, zu klein oder abgeschnitten. Mach ein scharfes Foto, auf dem das ganze Etikett zu sehen ist, oder gib stattdessen den 11-stelligen Einrichtungscode ein.
label-error-foreign-code = Dieser QR-Code ist kein Einrichtungscode von { -brand }. Nimm den QR-Code auf dem Etikett des Geräts.
label-error-damaged-code = Der Einrichtungscode in diesem Bild konnte nicht richtig gelesen werden. Mach ein neues, scharfes Foto des Etiketts oder gib stattdessen den 11-stelligen Einrichtungscode ein.
