# Checking for device updates and reading their notices (crates/app/updates).

## Errors

updates-error-expired = The update information from the device maker is out of date, so { -brand } did not trust it. The maker may have stopped renewing it, or someone may be holding back new updates. { -brand } will try again later.
updates-error-rollback = The update information is older than what { -brand } has seen before, so it was not trusted. Someone may be trying to hide newer updates.
updates-error-bad-signature = The update information is not signed by the device maker, so { -brand } did not trust it.
updates-error-tampered = An update file failed its security check, so { -brand } did not use it. It may have been changed on the way.
updates-error-untrusted-server = The update server could not prove that it belongs to the device maker, so { -brand } did not trust it. Someone may be interfering with your connection.
updates-error-too-large = An update file is larger than allowed, so { -brand } did not download it.
updates-error-offline = { -brand } cannot reach the device maker's update service. Check your internet connection. You can still control your devices nearby.
updates-error-not-found = This update is no longer offered. The device maker may have withdrawn it.
updates-error-bad-notice = The description of this update is incomplete or cannot be read, so { -brand } cannot show it.
updates-error-store = { -brand } cannot save update information in { $path }.
updates-error-invalid-config = { -brand } is not set up correctly to check for updates.
updates-error-internal = Something went wrong while checking for updates. Please try again.

## Freshness

updates-last-checked = Last checked { $date }
