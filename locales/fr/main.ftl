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
home-empty-body = Configurez votre premier appareil. Vous pourrez ensuite le commander ici, même sans Internet.
home-setup-button = Configurer un appareil
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

## Setup and control flows (app and `hearth` CLI)
flow-step-searching = Recherche de l’appareil…
flow-step-found = Appareil trouvé : { $name } ({ $model }).
flow-step-found-no-model = Appareil trouvé : { $name }.
flow-step-pairing = Vérification du code de configuration…
flow-step-checking-genuine = Vérification de l’authenticité de l’appareil…
flow-step-sending-credentials = Envoi des réglages Wi-Fi et de votre clé de propriétaire…
flow-step-joining-wifi = L’appareil se connecte au Wi-Fi…
flow-step-done = L’appareil est configuré.
flow-error-invalid-setup-code = Ce n’est pas un code de configuration valide. Vérifiez le code sur l’étiquette de l’appareil.
flow-error-vendor-profile = Le profil du fabricant n’a pas pu être lu.
flow-error-invalid-wifi = Ces réglages Wi-Fi ne peuvent pas être utilisés. Vérifiez le nom du réseau et le mot de passe.
flow-error-bluetooth-off = Le Bluetooth est désactivé. Activez-le, puis réessayez.
flow-error-no-adapter = Cet ordinateur n’a pas d’adaptateur Bluetooth utilisable.
flow-error-out-of-range = L’appareil est introuvable. Rapprochez-vous, vérifiez qu’il est alimenté, puis réessayez.
flow-error-could-not-connect = L’appareil a été trouvé, mais il a refusé la connexion. Réessayez.
flow-error-link-lost = La connexion avec l’appareil a été perdue. Rapprochez-vous, puis réessayez.
flow-error-not-a-hearth-device = Cet appareil ne peut pas être configuré avec cette application.
flow-error-bluetooth = Le Bluetooth n’a pas fonctionné comme prévu. Réessayez.
flow-error-wrong-code = Ce code de configuration est faux. Essais restants : { $attempts }.
flow-error-locked-until-button = Trop de codes faux. Appuyez sur le bouton de l’appareil, puis réessayez.
flow-error-locked-out = Trop de codes faux. Réessayez dans { $seconds } secondes.
flow-error-pairing-window-closed = L’appareil n’est pas prêt pour l’association. Appuyez sur son bouton, puis réessayez.
flow-error-already-owned = Cet appareil a déjà un propriétaire. Oubliez-le dans l’application qui l’a configuré, ou réinitialisez l’appareil.
flow-error-declined = La configuration s’est arrêtée avant l’association. Aucun de vos réglages n’a été envoyé à l’appareil.
flow-error-no-answer = Aucune réponse n’est venue, l’appareil n’a donc pas été configuré. Aucun de vos réglages ne lui a été envoyé. Réessayez.
flow-error-not-genuine = Cet appareil n’a pas pu prouver qu’il est authentique. Ne l’utilisez pas.
flow-error-not-authorised = L’appareil n’accepte plus cette application. Il a peut-être été réinitialisé.
flow-error-wifi-wrong-passphrase = L’appareil est configuré, mais le mot de passe du Wi-Fi est faux. Saisissez-le à nouveau.
flow-error-wifi-no-network = L’appareil est configuré, mais il ne trouve pas le réseau Wi-Fi { $ssid }.
flow-error-wifi-no-answer = L’appareil est configuré, mais il n’a pas dit s’il s’est connecté au Wi-Fi.
flow-error-unknown-device = Aucun appareil ne s’appelle { $device }.
flow-error-ambiguous-device = { $count } appareils s’appellent { $device }. Utilisez l’identifiant de l’appareil.
flow-error-forget-unreachable = L’appareil n’a pas pu être joint pour le réinitialiser. Il n’a donc pas été oublié.
flow-error-keyring-unavailable = Le trousseau de clés du système ne peut pas être utilisé. Déverrouillez-le, puis réessayez.
flow-error-owner-key-missing = La clé de cet appareil manque dans le trousseau de clés du système.
flow-error-database = La liste des appareils n’a pas pu être lue ou enregistrée.
flow-error-protocol = L’appareil a répondu d’une façon que cette application ne comprend pas. Réessayez.
cli-error-no-vendor-profile = Aucun profil du fabricant indiqué. Utilisez --vendor-profile ou HEARTH_VENDOR_PROFILE.
cli-error-pass-file = Le fichier du mot de passe { $path } n’a pas pu être lu.
cli-wifi-joined = L’appareil s’est connecté au Wi-Fi.
cli-pair-needs-accept-no-updates = Cet appareil n’a pas été configuré, car il ne reçoit pas ou bientôt plus de mises à jour de sécurité. Pour le configurer quand même, relancez la même commande avec --accept-no-updates.
cli-forget-reset = L’appareil a été réinitialisé et oublié.
cli-forget-without-reset = L’appareil a été oublié, mais pas réinitialisé. Réinitialisez-le sur l’appareil lui-même.
cli-forget-already-reset = L’appareil avait déjà été réinitialisé. Il a été oublié.
