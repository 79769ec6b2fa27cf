# Leer el código de configuración de una foto de la etiqueta del dispositivo (crates/flows/src/label.rs).

label-error-too-large = Esta imagen es demasiado grande. Elige una foto más pequeña o escribe el código de configuración de 11 dígitos.
label-error-not-an-image = Este archivo no es una imagen. Elige una foto de la etiqueta en formato PNG o JPEG.
label-error-unsupported-format = { -brand } no puede abrir este tipo de imagen. Guárdala en formato PNG o JPEG y vuelve a intentarlo.
label-error-no-code-found = No se encontró ningún código QR en esta imagen. Puede que esté borrosa, sea demasiado pequeña o esté cortada. Haz una foto nítida de toda la etiqueta o escribe el código de configuración de 11 dígitos.
label-error-foreign-code = Este código QR no es un código de configuración de { -brand }. Usa el código QR de la etiqueta del dispositivo.
label-error-damaged-code = El código de configuración de esta imagen no se pudo leer bien. Haz una foto nueva y nítida de la etiqueta o escribe el código de configuración de 11 dígitos.
