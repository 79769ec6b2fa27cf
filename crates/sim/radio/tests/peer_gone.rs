//! A hand-written peripheral (plain zbus, not bluer) registers a GATT application and an
//! advertisement with a malformed field, serves a read, and then leaves the bus: the central
//! is disconnected and the device can no longer be reached.

mod common;

use std::collections::HashMap;

use btleplug::api::{CentralEvent, Peripheral as _};
use common::*;
use zbus::{OwnedObjectPath, OwnedVariant, Variant, fdo, interface};

const APP: &str = "/org/example/app";
const SERVICE_PATH: &str = "/org/example/app/service0";
const CHAR_PATH: &str = "/org/example/app/service0/char0";
const ADV: &str = "/org/example/adv";

struct Service;

#[interface(name = "org.bluez.GattService1")]
impl Service {
    #[zbus(property, name = "UUID")]
    fn uuid(&self) -> String {
        SERVICE.to_string()
    }
    #[zbus(property)]
    fn primary(&self) -> bool {
        true
    }
}

struct Readable;

#[interface(name = "org.bluez.GattCharacteristic1")]
impl Readable {
    /// Refuses calls without the options bluer also insists on.
    fn read_value(&self, options: HashMap<String, OwnedVariant>) -> fdo::Result<Vec<u8>> {
        match (options.get("device"), options.get("mtu")) {
            (Some(device), Some(mtu)) => {
                let device = OwnedObjectPath::try_from(
                    device
                        .try_clone()
                        .map_err(|e| fdo::Error::Failed(e.to_string()))?,
                )
                .map_err(|_| fdo::Error::InvalidArgs("device".into()))?;
                let mtu = u16::try_from(mtu).map_err(|_| fdo::Error::InvalidArgs("mtu".into()))?;
                assert_eq!(device.as_str(), "/org/bluez/hci1/dev_00_48_52_00_00_00");
                Ok(vec![
                    1,
                    2,
                    3,
                    u8::try_from(mtu >> 8).unwrap_or(0),
                    u8::try_from(mtu & 0xFF).unwrap_or(0),
                ])
            }
            _ => Err(fdo::Error::InvalidArgs(
                "device and mtu are required".into(),
            )),
        }
    }
    #[zbus(property, name = "UUID")]
    fn uuid(&self) -> String {
        WRITE_CHAR.to_string()
    }
    #[zbus(property)]
    fn service(&self) -> OwnedObjectPath {
        OwnedObjectPath::try_from(SERVICE_PATH).expect("path")
    }
    #[zbus(property)]
    fn flags(&self) -> Vec<String> {
        vec!["read".into()]
    }
}

struct Adv;

#[interface(name = "org.bluez.LEAdvertisement1")]
impl Adv {
    #[zbus(property, name = "Type")]
    fn kind(&self) -> String {
        "peripheral".into()
    }
    #[zbus(property, name = "ServiceUUIDs")]
    fn service_uuids(&self) -> Vec<String> {
        vec![SERVICE.to_string()]
    }
    #[zbus(property)]
    fn local_name(&self) -> String {
        "hand-made".into()
    }
    /// Wrong on purpose: `a{sv}` instead of `a{qv}`; the radio must skip it, not fail.
    #[zbus(property)]
    fn manufacturer_data(&self) -> HashMap<String, OwnedVariant> {
        HashMap::from([("nope".to_owned(), OwnedVariant::from(7u8))])
    }
}

#[test]
fn a_peripheral_leaving_the_bus_disconnects_the_central() {
    with_radio(async |radio| {
        let peer = zbus::connection::Builder::address(radio.sim.address())
            .serve_at(APP, fdo::ObjectManager)
            .serve_at(SERVICE_PATH, Service)
            .serve_at(CHAR_PATH, Readable)
            .serve_at(ADV, Adv)
            .build()
            .await
            .expect("peer connection");
        let empty: HashMap<&str, Variant<'_>> = HashMap::new();
        for (iface, method, path) in [
            ("org.bluez.GattManager1", "RegisterApplication", APP),
            (
                "org.bluez.LEAdvertisingManager1",
                "RegisterAdvertisement",
                ADV,
            ),
        ] {
            let path = zbus::ObjectPath::try_from(path).expect("path");
            within(
                method,
                peer.call_method(
                    Some("org.bluez"),
                    "/org/bluez/hci1",
                    Some(iface),
                    method,
                    &(path, &empty),
                ),
            )
            .await
            .expect("register");
        }

        let mut app = AppCentral::start().await;
        let peripheral = app.discover().await;
        let props = within("properties", peripheral.properties())
            .await
            .expect("props")
            .expect("some");
        assert_eq!(props.local_name.as_deref(), Some("hand-made"));
        assert!(
            props.manufacturer_data.is_empty(),
            "malformed manufacturer data is dropped"
        );

        within("connect", peripheral.connect())
            .await
            .expect("connect");
        within("discover", peripheral.discover_services())
            .await
            .expect("discover");
        let ch = peripheral
            .characteristics()
            .into_iter()
            .find(|c| c.uuid == WRITE_CHAR)
            .expect("characteristic");
        let value = within("read", peripheral.read(&ch)).await.expect("read");
        assert_eq!(
            value,
            [1, 2, 3, 0, 247],
            "read reaches the peer with device and mtu"
        );
        let counters = radio.control.counters().await.expect("counters");
        assert_eq!(counters["bytes_to_central"], 5);

        let id = peripheral.id();
        within("close peer", peer.close()).await.expect("close");
        app.wait_for("DeviceDisconnected", |e| match e {
            CentralEvent::DeviceDisconnected(d) if *d == id => Some(()),
            _ => None,
        })
        .await;
        assert!(
            within("connect to a gone peer", peripheral.connect())
                .await
                .is_err()
        );
        assert_eq!(radio.control.link_count().await.expect("links"), 0);
    });
}
