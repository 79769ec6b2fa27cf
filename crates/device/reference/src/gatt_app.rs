//! The one definition of "a Hearth device over GATT": the bluer GATT
//! application (a primary service with a write characteristic — write and
//! write-without-response — and a notify characteristic) and the LE
//! advertisement (service UUID, [`Advertisement`] as service data, a local
//! name).
//!
//! The reference device and the test peripherals (an echo device, a rogue
//! device) build their GATT surface here, so a test that passes against them
//! speaks to the same layout the real device serves. Only the callbacks
//! differ: what a peripheral does with a write or a subscription is its own.

use bluer::adv::{Advertisement as BluerAdvertisement, Type};
use bluer::gatt::local::{
    Application, Characteristic, CharacteristicNotify, CharacteristicNotifyFun,
    CharacteristicNotifyMethod, CharacteristicWrite, CharacteristicWriteFun,
    CharacteristicWriteMethod, Service,
};
use hearth_protocol::gatt::{Advertisement, NOTIFY_UUID, SERVICE_UUID, WRITE_UUID};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Hearth's GATT service UUID ([`SERVICE_UUID`]) as bluer wants it; pass it
/// to [`application`] unless the peripheral must not be a Hearth device.
#[must_use]
pub fn hearth_service() -> Uuid {
    Uuid::from_u128(SERVICE_UUID)
}

/// The GATT application: one primary service `service` holding the write
/// characteristic ([`WRITE_UUID`], write and write-without-response, each
/// write handed to `on_write`) and the notify characteristic
/// ([`NOTIFY_UUID`], each subscription handed to `on_subscribe`).
///
/// `service` is [`hearth_service`] for a Hearth device; any other UUID gives
/// a peripheral with the same characteristics that is not one.
#[must_use]
pub fn application(
    service: Uuid,
    on_write: CharacteristicWriteFun,
    on_subscribe: CharacteristicNotifyFun,
) -> Application {
    Application {
        services: vec![Service {
            uuid: service,
            primary: true,
            characteristics: vec![
                Characteristic {
                    uuid: Uuid::from_u128(WRITE_UUID),
                    write: Some(CharacteristicWrite {
                        write: true,
                        write_without_response: true,
                        method: CharacteristicWriteMethod::Fun(on_write),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                Characteristic {
                    uuid: Uuid::from_u128(NOTIFY_UUID),
                    notify: Some(CharacteristicNotify {
                        notify: true,
                        method: CharacteristicNotifyMethod::Fun(on_subscribe),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// The connectable, discoverable LE advertisement: Hearth's service UUID,
/// `ad` encoded as that service's data (discriminator, pairing window,
/// owner) and `local_name`.
#[must_use]
pub fn advertisement(ad: &Advertisement, local_name: &str) -> BluerAdvertisement {
    let service = hearth_service();
    BluerAdvertisement {
        advertisement_type: Type::Peripheral,
        service_uuids: [service].into(),
        service_data: BTreeMap::from([(service, ad.encode().to_vec())]),
        local_name: Some(local_name.to_owned()),
        discoverable: Some(true),
        ..Default::default()
    }
}
