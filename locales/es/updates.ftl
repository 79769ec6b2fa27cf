# Buscar actualizaciones de los dispositivos y leer sus avisos (crates/app/updates).

## Errores

updates-error-expired = La información de actualizaciones del fabricante está caducada, así que { -brand } no confió en ella. Puede que el fabricante ya no la renueve o que alguien esté reteniendo nuevas actualizaciones. { -brand } lo volverá a intentar más tarde.
updates-error-rollback = La información de actualizaciones es más antigua que la que { -brand } ya conoce, así que no se aceptó. Puede que alguien intente ocultar actualizaciones más nuevas.
updates-error-bad-signature = La información de actualizaciones no está firmada por el fabricante, así que { -brand } no confió en ella.
updates-error-tampered = Un archivo de actualización no superó el control de seguridad, así que { -brand } no lo usó. Puede que se haya modificado por el camino.
updates-error-untrusted-server = El servidor de actualizaciones no pudo demostrar que pertenece al fabricante, así que { -brand } no confió en él. Puede que alguien esté interfiriendo en tu conexión.
updates-error-too-large = Un archivo de actualización es más grande de lo permitido, así que { -brand } no lo descargó.
updates-error-offline = { -brand } no puede conectar con el servicio de actualizaciones del fabricante. Comprueba tu conexión a internet. Puedes seguir controlando tus dispositivos cercanos.
updates-error-not-found = Esta actualización ya no se ofrece. Puede que el fabricante la haya retirado.
updates-error-bad-notice = La descripción de esta actualización está incompleta o no se puede leer, así que { -brand } no puede mostrarla.
updates-error-store = { -brand } no puede guardar la información de actualizaciones en { $path }.
updates-error-invalid-config = { -brand } no está bien configurado para buscar actualizaciones.
updates-error-internal = Algo salió mal al buscar actualizaciones. Vuelve a intentarlo.

## Actualidad

updates-last-checked = Última comprobación: { $date }
