# Lire le code de configuration sur une photo de l’étiquette de l’appareil (crates/flows/src/label.rs).

label-error-too-large = Cette image est trop grande. Choisissez une photo plus petite, ou saisissez plutôt le code de configuration à 11 chiffres.
label-error-not-an-image = Ce fichier n’est pas une image. Choisissez une photo de l’étiquette au format PNG ou JPEG.
label-error-unsupported-format = { -brand } ne peut pas ouvrir ce type d’image. Enregistrez-la au format PNG ou JPEG, puis réessayez.
label-error-no-code-found = Aucun code QR n’a été trouvé dans cette image. Elle est peut-être floue, trop petite ou coupée. Prenez une photo nette de toute l’étiquette, ou saisissez plutôt le code de configuration à 11 chiffres.
label-error-foreign-code = Ce code QR n’est pas un code de configuration { -brand }. Utilisez le code QR de l’étiquette de l’appareil.
label-error-damaged-code = Le code de configuration de cette image n’a pas pu être lu correctement. Prenez une nouvelle photo nette de l’étiquette, ou saisissez plutôt le code de configuration à 11 chiffres.
