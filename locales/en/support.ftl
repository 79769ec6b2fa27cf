# What the device maker publishes about a device (crates/support, the `hearth support`,
# `hearth collects` and `hearth security-contact` commands, and the app's screens).

## Errors

support-error-not-configured = { -brand } is not set up to reach the device maker's service, so it cannot show what the maker publishes about this device.
support-error-profile-invalid = The settings for the device maker's service ({ $path }) cannot be read.
support-error-unavailable = The device maker's service cannot be reached, and { -brand } has not saved this information before. Check your internet connection and try again.
support-error-untrusted = The device maker's service could not prove who it is, so { -brand } did not trust it. Someone may be interfering with your connection.
support-error-tampered = The device maker's information failed its security check, so { -brand } did not show it. It may have been changed on the way or on this computer.
support-error-unknown-model = The device maker publishes nothing about the model { $model }.

## Support period

support-updates-until = Security updates until { $date }
support-not-updatable = This device cannot be updated
support-ending-soon = Security updates for this device end soon, on { $date }. Plan to replace it.
support-ended = Security updates for this device ended on { $date }. It no longer gets security fixes.
support-why-heading = Why
support-advice-heading = How to keep it safe
support-replacement-heading = Replacement

## Freshness

support-last-checked = Last checked { $date }
support-offline = The device maker's service cannot be reached right now. This is the information { -brand } saved earlier.

## What this device collects

support-collects-title = What this device collects
support-collects-data-use = How your data is used
support-collects-controller = Responsible: { $controller }
support-collects-personal-data = Personal data: { $list }
support-collects-no-personal-data = No personal data.
support-collects-none = This device sends no data to its maker.
support-collects-field = Data
support-collects-description = What it is
support-collects-purpose = Why
support-collects-recipient = Who receives it
support-collects-retention = Kept for
support-collects-personal = Personal
support-collects-anonymisation = How it is protected
support-collects-retention-days = { $days ->
    [one] { $days } day
   *[other] { $days } days
}
support-yes = Yes
support-no = No

## Report a security problem

support-contact-title = Report a security problem
support-contact-intro = If you think you found a security problem in this device or in { -brand }, tell the device maker:
support-contact-policy = How the maker handles reports: { $url }
support-contact-policy-label = How the maker handles reports:
support-contact-languages = You can write in: { $languages }
support-contact-expired = This contact information expired on { $date }; it may be out of date.
