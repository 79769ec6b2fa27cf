# Lo que el fabricante publica sobre un dispositivo.

## Errors

support-error-not-configured = { -brand } no está configurado para conectar con el servicio del fabricante, así que no puede mostrar lo que publica sobre este dispositivo.
support-error-profile-invalid = No se pueden leer los ajustes del servicio del fabricante ({ $path }).
support-error-unavailable = No se puede conectar con el servicio del fabricante y { -brand } no ha guardado antes esta información. Comprueba tu conexión a internet y vuelve a intentarlo.
support-error-untrusted = El servicio del fabricante no pudo demostrar quién es, así que { -brand } no confió en él. Puede que alguien esté interfiriendo en tu conexión.
support-error-tampered = La información del fabricante no superó el control de seguridad, así que { -brand } no la mostró. Puede que se haya modificado por el camino o en este ordenador.
support-error-unknown-model = El fabricante no publica nada sobre el modelo { $model }.

## Support period

support-updates-until = Actualizaciones de seguridad hasta el { $date }
support-not-updatable = Este dispositivo no se puede actualizar
support-ending-soon = Las actualizaciones de seguridad de este dispositivo terminan pronto, el { $date }. Planea sustituirlo.
support-ended = Las actualizaciones de seguridad de este dispositivo terminaron el { $date }. Ya no recibe correcciones de seguridad.
support-why-heading = Por qué
support-advice-heading = Cómo mantenerlo seguro
support-replacement-heading = Sustitución

## Freshness

support-last-checked = Última comprobación: { $date }
support-offline = Ahora no se puede conectar con el servicio del fabricante. Esta es la información que { -brand } guardó antes.

## What this device collects

support-collects-title = Qué recoge este dispositivo
support-collects-data-use = Cómo se usan tus datos
support-collects-controller = Responsable: { $controller }
support-collects-personal-data = Datos personales: { $list }
support-collects-no-personal-data = Ningún dato personal.
support-collects-none = Este dispositivo no envía datos a su fabricante.
support-collects-field = Dato
support-collects-description = Qué es
support-collects-purpose = Para qué
support-collects-recipient = Quién lo recibe
support-collects-retention = Se guarda durante
support-collects-personal = Personal
support-collects-anonymisation = Cómo se protege
support-collects-retention-days = { $days ->
    [one] { $days } día
   *[other] { $days } días
}
support-yes = Sí
support-no = No

## Report a security problem

support-contact-title = Informar de un problema de seguridad
support-contact-intro = Si crees que has encontrado un problema de seguridad en este dispositivo o en { -brand }, avisa al fabricante:
support-contact-policy = Cómo trata el fabricante los avisos: { $url }
support-contact-policy-label = Cómo trata el fabricante los avisos:
support-contact-languages = Puedes escribir en: { $languages }
support-contact-expired = Estos datos de contacto caducaron el { $date }; puede que no estén actualizados.
