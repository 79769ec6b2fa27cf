# Ce que le fabricant publie sur un appareil.

## Errors

support-error-not-configured = { -brand } n’est pas configuré pour joindre le service du fabricant et ne peut donc pas afficher ce qu’il publie sur cet appareil.
support-error-profile-invalid = Les réglages du service du fabricant ({ $path }) ne peuvent pas être lus.
support-error-unavailable = Le service du fabricant est injoignable et { -brand } n’a jamais enregistré ces informations. Vérifiez votre connexion Internet et réessayez.
support-error-untrusted = Le service du fabricant n’a pas pu prouver son identité, { -brand } ne lui a donc pas fait confiance. Quelqu’un perturbe peut-être votre connexion.
support-error-tampered = Les informations du fabricant n’ont pas passé le contrôle de sécurité, { -brand } ne les a donc pas affichées. Elles ont peut-être été modifiées en chemin ou sur cet ordinateur.
support-error-unknown-model = Le fabricant ne publie rien sur le modèle { $model }.

## Support period

support-updates-until = Mises à jour de sécurité jusqu’au { $date }
support-not-updatable = Cet appareil ne peut pas être mis à jour
support-ending-soon = Les mises à jour de sécurité de cet appareil s’arrêtent bientôt, le { $date }. Prévoyez de le remplacer.
support-ended = Les mises à jour de sécurité de cet appareil se sont arrêtées le { $date }. Il ne reçoit plus de correctifs de sécurité.
support-why-heading = Pourquoi
support-advice-heading = Comment le garder en sécurité
support-replacement-heading = Remplacement

## Freshness

support-last-checked = Dernière vérification le { $date }
support-offline = Le service du fabricant est injoignable pour le moment. Voici les informations que { -brand } a enregistrées plus tôt.

## What this device collects

support-collects-title = Ce que cet appareil collecte
support-collects-data-use = Comment vos données sont utilisées
support-collects-controller = Responsable : { $controller }
support-collects-personal-data = Données personnelles : { $list }
support-collects-no-personal-data = Aucune donnée personnelle.
support-collects-none = Cet appareil n’envoie aucune donnée à son fabricant.
support-collects-field = Donnée
support-collects-description = Ce que c’est
support-collects-purpose = Pourquoi
support-collects-recipient = Qui la reçoit
support-collects-retention = Conservée pendant
support-collects-personal = Personnelle
support-collects-anonymisation = Comment elle est protégée
support-collects-retention-days = { $days ->
    [one] { $days } jour
   *[other] { $days } jours
}
support-yes = Oui
support-no = Non

## Report a security problem

support-contact-title = Signaler un problème de sécurité
support-contact-intro = Si vous pensez avoir trouvé un problème de sécurité dans cet appareil ou dans { -brand }, prévenez le fabricant :
support-contact-policy = Comment le fabricant traite les signalements : { $url }
support-contact-policy-label = Comment le fabricant traite les signalements :
support-contact-languages = Vous pouvez écrire en : { $languages }
support-contact-expired = Ces coordonnées ont expiré le { $date } ; elles ne sont peut-être plus à jour.
