//! Pairing: from the setup code on a label to a paired, remembered, online device in at most
//! three round trips after the GATT connection (design "Budget"; EN 303 645 4.12-1).

use hearth_ble::{FoundDevice, HearthMessages, Pipe, ScanFilter, Transport};
use hearth_core::devices::DeviceSummary;
use hearth_core::pairings::PairingRecord;
use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::message::{
    self, Event, FromDevice, Limits, Passphrase, Provisioning, Response, Role, WifiStatus,
};
use hearth_protocol::pairing::{Channel, Paired, PairingClient, PairingStep};
use hearth_protocol::setup_code::{DiscriminatorHint, SetupCode};

use crate::context::Flows;
use crate::error::FlowError;
use crate::progress::Step;
use crate::vendor::VendorRoot;

/// The Wi-Fi network the device should join. The passphrase prints `<redacted>` and is wiped
/// when dropped.
#[derive(Debug, Clone)]
pub struct WifiCredentials {
    pub ssid: String,
    pub passphrase: Passphrase,
}

/// A device that was just paired and remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairedDevice {
    /// As listed by [`Flows::devices`].
    pub summary: DeviceSummary,
    /// The SSID it joined.
    pub ssid: String,
}

/// Asked once the device has said which model it is (step 2), before the setup code is
/// tried: whether setup goes on. This is where the person sees what the maker promises for
/// the model (its support period) before committing to it; stopping here uses no attempt on
/// the device and sends it nothing. The model is the one the device claims: step 4 checks it
/// against the device's certificate, so a device lying about it is refused before any
/// credential reaches it.
pub trait ModelGate: Send {
    /// Whether to go on with a device of `model`: `Ok` goes on; the error
    /// ([`FlowError::Declined`], [`FlowError::NoAnswer`]) ends the setup with nothing sent.
    fn proceed<'a>(&'a mut self, model: &'a str) -> BoxFuture<'a, Result<(), FlowError>>;
}

/// A boxed, sendable future (what [`ModelGate::proceed`] returns).
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// A [`ModelGate`] that always goes on (the CLI, whose person already chose by running it).
#[derive(Debug, Clone, Copy, Default)]
pub struct AlwaysProceed;

impl ModelGate for AlwaysProceed {
    fn proceed<'a>(&'a mut self, _model: &'a str) -> BoxFuture<'a, Result<(), FlowError>> {
        Box::pin(std::future::ready(Ok(())))
    }
}

/// How long a manual code's scan listens for every device sharing its 4 discriminator bits.
const SHORT_CODE_LISTEN: std::time::Duration = std::time::Duration::from_secs(2);

/// Longest device name kept (the device's own bound is larger; names are for lists).
const MAX_NAME_LEN: usize = 64;

impl<T: Transport> Flows<T> {
    /// Pairs the device whose label reads `code` (QR payload or manual code), trusting only
    /// devices certified under `vendor`, sends it `wifi` and a fresh owner key, and remembers
    /// it as `name` (default: the name it advertises). `progress` hears each [`Step`] as it
    /// starts.
    ///
    /// The owner key is generated here, stored in the OS keyring under the new device id and
    /// sent to the device sealed; the database holds only public values. A device the app
    /// knew under the same serial (reset since) is replaced.
    ///
    /// If the device is paired but cannot join Wi-Fi, it stays remembered and the error says
    /// so ([`FlowError::WifiWrongPassphrase`]): [`Flows::set_wifi`] fixes it without a reset.
    ///
    /// # Errors
    /// Any [`FlowError`]; before step 5 nothing is stored anywhere.
    pub async fn pair(
        &self,
        code: &str,
        wifi: WifiCredentials,
        name: Option<String>,
        vendor: &VendorRoot,
        progress: &mut (dyn FnMut(&Step) + Send),
    ) -> Result<PairedDevice, FlowError> {
        self.pair_with_gate(code, wifi, name, vendor, progress, &mut AlwaysProceed)
            .await
    }

    /// [`Flows::pair`], asking `gate` after step 2 whether to go on with the model the device
    /// names.
    ///
    /// # Errors
    /// As [`Flows::pair`]; whatever `gate` ends the setup with ([`FlowError::Declined`],
    /// [`FlowError::NoAnswer`]).
    pub async fn pair_with_gate(
        &self,
        code: &str,
        wifi: WifiCredentials,
        name: Option<String>,
        vendor: &VendorRoot,
        progress: &mut (dyn FnMut(&Step) + Send),
        gate: &mut dyn ModelGate,
    ) -> Result<PairedDevice, FlowError> {
        let parsed = SetupCode::parse(code.trim()).map_err(FlowError::InvalidSetupCode)?;
        progress(&Step::Searching);
        let found = self.find_for_pairing(parsed.discriminator).await?;
        // Not even connecting: the device would refuse, and the user needs to hear why.
        if found.advertisement.has_owner {
            return Err(FlowError::AlreadyOwned);
        }
        let connection = self
            .transport
            .connect(&found.id, self.config.connect_timeout)
            .await?;
        let pipe = Pipe::open(connection, self.config.pipe, HearthMessages::default())?;

        let owner = self.with_rng(|rng| OwnerKey::generate(rng));
        let advertised = found.name.clone().unwrap_or_default();
        let device_name = name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .or_else(|| Some(advertised.clone()).filter(|n| !n.is_empty()))
            .unwrap_or_else(|| "Hearth device".to_owned())
            .chars()
            .take(MAX_NAME_LEN)
            .collect::<String>();
        let provisioning = Provisioning {
            wifi_ssid: wifi.ssid.clone(),
            wifi_passphrase: wifi.passphrase.clone(),
            owner_public_key: owner.public(),
            device_name: device_name.clone(),
            role: Role::Owner,
        };
        let client = PairingClient::new(&parsed, provisioning, vendor.public_key);
        let outcome = self
            .run_pairing(&pipe, client, &advertised, progress, gate)
            .await;
        let paired = match outcome {
            Ok(paired) => paired,
            Err(e) => {
                let _ = pipe.close().await;
                return Err(e.with_maker(&vendor.vendor_name));
            }
        };
        let result = self
            .remember_and_join(
                pipe,
                paired,
                owner,
                (&device_name, found.advertisement.discriminator),
                &wifi,
                progress,
            )
            .await;
        if result.is_ok() {
            progress(&Step::Done);
        }
        result
    }

    /// The device a label's code names. A QR code carries all 12 discriminator bits, so the
    /// first match is it. A manual code carries only 4, so several devices may match: listen
    /// for [`SHORT_CODE_LISTEN`] and prefer one whose pairing window is open (a wrong guess
    /// would cost an attempt on someone else's device), then fall back to the first heard.
    async fn find_for_pairing(&self, hint: DiscriminatorHint) -> Result<FoundDevice, FlowError> {
        if let DiscriminatorHint::Short(_) = hint {
            let filter = ScanFilter {
                discriminator: Some(hint),
                pairing_open_only: false,
                stop_at_first: false,
            };
            let listen = SHORT_CODE_LISTEN.min(self.config.scan_timeout);
            let heard = self.transport.scan(&filter, listen).await?;
            let open = heard.iter().position(|d| d.advertisement.pairing_open);
            if let Some(device) = heard.into_iter().nth(open.unwrap_or(0)) {
                return Ok(device);
            }
        }
        Ok(self.transport.find(hint, self.config.scan_timeout).await?)
    }

    /// Round trips 1 to 3 on `pipe`.
    async fn run_pairing(
        &self,
        pipe: &Pipe,
        mut client: PairingClient,
        advertised: &str,
        progress: &mut (dyn FnMut(&Step) + Send),
        gate: &mut dyn ModelGate,
    ) -> Result<Paired, FlowError> {
        let params = pipe.request(client.start()?).await?;
        // The model the device claims; step 4 checks it against its certificate.
        let model = match message::decode::<Response>(&params, &Limits::default()) {
            Ok(envelope) => match envelope.body {
                Response::PairingParams(p) => p.device_info.model,
                _ => String::new(),
            },
            Err(_) => String::new(),
        };
        progress(&Step::Found {
            name: advertised.to_owned(),
            model: model.clone(),
        });
        // The device has counted nothing yet: round trip 1 only asked for its parameters.
        gate.proceed(&model).await?;
        progress(&Step::Pairing);
        let mut answer = params;
        let mut round_trip = 1;
        loop {
            if round_trip == 2 {
                progress(&Step::CheckingGenuine);
            }
            let now = self.clock.now_unix();
            let step = self.with_rng(|rng| client.handle(&answer, now, rng))?;
            match step {
                PairingStep::Send(next) => {
                    if round_trip == 2 {
                        progress(&Step::SendingCredentials);
                    }
                    answer = pipe.request(next).await?;
                    round_trip += 1;
                }
                PairingStep::Paired(paired) => return Ok(*paired),
                PairingStep::Ignored => {
                    // The pipe routes events elsewhere, so an answer is never an event.
                    return Err(FlowError::Protocol {
                        code: "flow.unexpected_event",
                        detail: "an event where an answer was expected".into(),
                    });
                }
            }
        }
    }

    /// Stores the key and the rows, then waits for the Wi-Fi outcome.
    async fn remember_and_join(
        &self,
        mut pipe: Pipe,
        paired: Paired,
        owner: OwnerKey,
        (name, discriminator): (&str, u16),
        wifi: &WifiCredentials,
        progress: &mut (dyn FnMut(&Step) + Send),
    ) -> Result<PairedDevice, FlowError> {
        let Paired {
            mut channel,
            device,
            device_info,
            user_id,
        } = paired;
        // The device accepted a new owner, so an older record of it is stale.
        if let Some(old) = self.pairings.device_with_serial(&device.serial).await? {
            self.delete_owner_key(&old).await?;
            self.pairings.forget_device(&old).await?;
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        let summary = DeviceSummary {
            id: id.clone(),
            name: name.to_owned(),
            model: device.model.clone(),
            serial: device.serial.clone(),
            firmware_version: device_info.firmware_version.clone(),
        };
        self.store_owner_key(&id, owner).await?;
        let now = i64::try_from(self.clock.now_unix()).unwrap_or(i64::MAX);
        let stored = async {
            self.devices.add(&summary, now).await?;
            self.pairings
                .add(&PairingRecord {
                    device_id: id.clone(),
                    discriminator,
                    identity_key: device.identity_key,
                    user_id,
                })
                .await
        }
        .await;
        if let Err(e) = stored {
            let _ = self.pairings.forget_device(&id).await;
            let _ = self.delete_owner_key(&id).await;
            let _ = pipe.close().await;
            return Err(e.into());
        }
        progress(&Step::JoiningWifi);
        let status = wait_wifi_status(&mut pipe, &mut channel, self.config.wifi_timeout).await;
        let _ = pipe.close().await;
        match status {
            Some(WifiStatus::Joined { ssid }) => Ok(PairedDevice { summary, ssid }),
            Some(WifiStatus::WrongPassphrase { .. }) => {
                Err(FlowError::WifiWrongPassphrase { device_id: id })
            }
            Some(WifiStatus::NoNetwork { ssid }) => Err(FlowError::WifiNoNetwork {
                device_id: id,
                ssid,
            }),
            None => {
                tracing::warn!(ssid = %wifi.ssid, "no Wi-Fi status from the device");
                Err(FlowError::WifiNoAnswer { device_id: id })
            }
        }
    }
}

/// The next Wi-Fi status the device pushes on `pipe`, or `None` if none comes in time or the
/// link ends first.
pub(crate) async fn wait_wifi_status(
    pipe: &mut Pipe,
    channel: &mut Channel,
    timeout: std::time::Duration,
) -> Option<WifiStatus> {
    let wait = async {
        while let Some(bytes) = pipe.next_event().await {
            match channel.open(&bytes) {
                Ok(FromDevice::Event(envelope)) => {
                    if let Event::WifiStatus(status) = envelope.body {
                        return Some(status);
                    }
                }
                Ok(FromDevice::Response(_)) => {}
                Err(e) => tracing::warn!(code = e.code(), "unreadable event: {e}"),
            }
        }
        None
    };
    tokio::time::timeout(timeout, wait).await.ok().flatten()
}
