# Reading the setup code from a photo of the device's label (crates/flows/src/label.rs).

label-error-too-large = This picture is too big. Choose a smaller photo, or type the 11-digit setup code instead.
label-error-not-an-image = This file is not a picture. Choose a photo of the label as a PNG or JPEG file.
label-error-unsupported-format = { -brand } cannot open this kind of picture. Save it as a PNG or JPEG file and try again.
label-error-no-code-found = No QR code was found in this picture. It may be blurry, too small or cut off. Take a sharp photo that shows the whole label, or type the 11-digit setup code instead.
label-error-foreign-code = This QR code is not a { -brand } setup code. Use the QR code on the device’s label.
label-error-damaged-code = The setup code in this picture could not be read correctly. Take a new, sharp photo of the label, or type the 11-digit setup code instead.
