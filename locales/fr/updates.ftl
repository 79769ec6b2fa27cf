# Rechercher les mises à jour des appareils et lire leurs notes (crates/app/updates).

## Erreurs

updates-error-expired = Les informations de mise à jour du fabricant sont périmées, { -brand } ne leur a donc pas fait confiance. Le fabricant ne les renouvelle peut-être plus, ou quelqu’un retient de nouvelles mises à jour. { -brand } réessaiera plus tard.
updates-error-rollback = Les informations de mise à jour sont plus anciennes que celles que { -brand } a déjà vues, elles n’ont donc pas été acceptées. Quelqu’un essaie peut-être de cacher des mises à jour plus récentes.
updates-error-bad-signature = Les informations de mise à jour ne sont pas signées par le fabricant, { -brand } ne leur a donc pas fait confiance.
updates-error-tampered = Un fichier de mise à jour n’a pas passé le contrôle de sécurité, { -brand } ne l’a donc pas utilisé. Il a peut-être été modifié en chemin.
updates-error-untrusted-server = Le serveur de mises à jour n’a pas pu prouver qu’il appartient au fabricant, { -brand } ne lui a donc pas fait confiance. Quelqu’un perturbe peut-être votre connexion.
updates-error-too-large = Un fichier de mise à jour est plus gros que permis, { -brand } ne l’a donc pas téléchargé.
updates-error-offline = { -brand } ne peut pas joindre le service de mises à jour du fabricant. Vérifiez votre connexion Internet. Vous pouvez toujours commander vos appareils à proximité.
updates-error-not-found = Cette mise à jour n’est plus proposée. Le fabricant l’a peut-être retirée.
updates-error-bad-notice = La description de cette mise à jour est incomplète ou illisible, { -brand } ne peut donc pas l’afficher.
updates-error-store = { -brand } ne peut pas enregistrer les informations de mise à jour dans { $path }.
updates-error-invalid-config = { -brand } n’est pas configuré correctement pour rechercher des mises à jour.
updates-error-internal = Un problème est survenu pendant la recherche de mises à jour. Veuillez réessayer.

## Fraîcheur

updates-last-checked = Dernière vérification le { $date }
