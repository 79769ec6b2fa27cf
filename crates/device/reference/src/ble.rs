//! The plug on the air: a bluer GATT application (Hearth's service with a
//! write characteristic — write and write-without-response — and a notify
//! characteristic) and an LE advertisement carrying the service UUID, the
//! service data of [`hearth_protocol::gatt::Advertisement`] and a local name.
//!
//! One task owns the [`Plug`] and everything bluer hands out; GATT
//! callbacks and the control socket reach it through a channel, so the core
//! sees one event at a time in arrival order. After every event the
//! advertisement is compared with what the plug wants advertised (pairing
//! window, owner) and re-registered when it differs; a one-second tick
//! catches the window closing by itself.
//!
//! The app must subscribe to the notify characteristic before it writes:
//! answers wait in the frame link until a notification session exists.

use crate::control::{self, Answer, Command, Refusal};
use crate::error::RefDeviceError;
use crate::gatt_app;
use crate::plug::Plug;
use bluer::Address;
use bluer::adv::AdvertisementHandle;
use bluer::gatt::local::{Application, ApplicationHandle, CharacteristicNotifier};
use hearth_protocol::gatt::Advertisement;
use std::future::Future;
use std::time::Duration;
use tokio::net::UnixListener;
use tokio::sync::mpsc;

/// Writes queued between the GATT callbacks and the device task; a central
/// writing faster than the device handles them waits (back-pressure), it
/// cannot grow memory.
const INPUT_QUEUE: usize = 64;
/// How often the advertisement is compared with the pairing window.
const ADVERTISEMENT_TICK: Duration = Duration::from_secs(1);
/// Bound on a peripheral-side disconnect request.
const DISCONNECT_TIMEOUT: Duration = Duration::from_secs(5);

enum Input {
    Write {
        value: Vec<u8>,
        mtu: u16,
        central: Address,
    },
    Subscribed(CharacteristicNotifier),
}

/// What the device task holds from bluer.
struct Air {
    adapter: bluer::Adapter,
    inputs: mpsc::Sender<Input>,
    app: Option<ApplicationHandle>,
    advertised: Option<(Advertisement, AdvertisementHandle)>,
    notifier: Option<CharacteristicNotifier>,
    central: Option<Address>,
}

/// Runs the plug on `adapter_name` until `shutdown` resolves, answering the
/// control socket `control`.
///
/// # Errors
/// [`RefDeviceError::Bluetooth`] if the adapter cannot be found, powered or
/// given the GATT application at start.
pub async fn run(
    mut plug: Plug,
    adapter_name: &str,
    control: UnixListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RefDeviceError> {
    let session = bluer::Session::new().await?;
    let adapter = session.adapter(adapter_name)?;
    adapter.set_powered(true).await?;
    tracing::info!(adapter = adapter_name, address = %adapter.address().await?, "adapter ready");
    let (inputs, mut received) = mpsc::channel(INPUT_QUEUE);
    let (control_tx, mut control_rx) = mpsc::channel(4);
    let control_task = tokio::spawn(control::serve(control, control_tx));
    let mut air = Air {
        adapter,
        inputs,
        app: None,
        advertised: None,
        notifier: None,
        central: None,
    };
    if plug.is_powered() {
        air.serve_application().await?;
    }
    air.sync_advertisement(&plug).await;

    let mut tick = tokio::time::interval(ADVERTISEMENT_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stopped = air.notifier.as_ref().map(CharacteristicNotifier::stopped);
        let stopped = async move {
            match stopped {
                Some(stopped) => stopped.await,
                None => std::future::pending().await,
            }
        };
        let mut reply = None;
        tokio::select! {
            () = &mut shutdown => break,
            Some(input) = received.recv() => air.handle(&mut plug, input).await,
            Some(request) = control_rx.recv() => {
                let control::Request { command, reply: to } = request;
                let answer = air.command(&mut plug, command).await;
                reply = Some((to, answer));
            }
            () = stopped => {
                tracing::info!("notifications stopped");
                air.notifier = None;
                air.central = None;
                plug.on_disconnect();
            }
            _ = tick.tick() => {}
        }
        air.sync_advertisement(&plug).await;
        if let Some((to, answer)) = reply {
            // The advertisement already reflects the command when the caller hears back.
            let answer = match answer {
                Ok(()) => Answer::Status(plug.status()),
                Err(error) => Answer::Error(Refusal {
                    code: error.code().into(),
                    message: error.to_string(),
                }),
            };
            let _ = to.send(answer);
        }
    }
    tracing::info!("shutting down");
    control_task.abort();
    air.power_off(&mut plug).await;
    Ok(())
}

impl Air {
    async fn handle(&mut self, plug: &mut Plug, input: Input) {
        match input {
            Input::Write {
                value,
                mtu,
                central,
            } => {
                if !plug.is_powered() {
                    return;
                }
                match plug.on_write(&central.to_string(), mtu, &value) {
                    Ok(()) => {
                        self.central = Some(central);
                        self.flush(plug).await;
                    }
                    Err(fault) => {
                        tracing::warn!(code = fault.code(), %fault, %central, "dropping the link");
                        self.disconnect(plug, central).await;
                    }
                }
            }
            Input::Subscribed(notifier) => {
                tracing::info!("notifications started");
                self.notifier = Some(notifier);
                self.flush(plug).await;
            }
        }
    }

    async fn command(&mut self, plug: &mut Plug, command: Command) -> Result<(), RefDeviceError> {
        match command {
            Command::PressButton => plug.press_button(),
            Command::PowerOff => {
                self.power_off(plug).await;
                Ok(())
            }
            Command::PowerOn => {
                if plug.is_powered() {
                    return Ok(());
                }
                plug.power_on()?;
                self.serve_application().await
            }
            Command::Status => Ok(()),
            Command::Advance(secs) => {
                plug.advance_clock(secs);
                Ok(())
            }
        }
    }

    /// Sends what the plug has queued, while a notification session exists.
    async fn flush(&mut self, plug: &mut Plug) {
        let Some(notifier) = self.notifier.as_mut() else {
            return;
        };
        for segment in plug.transmit() {
            if let Err(error) = notifier.notify(segment).await {
                tracing::warn!(%error, "notification failed; link down");
                self.notifier = None;
                self.central = None;
                plug.on_disconnect();
                return;
            }
        }
    }

    /// Drops the link and asks the stack to disconnect `central`.
    async fn disconnect(&mut self, plug: &mut Plug, central: Address) {
        plug.on_disconnect();
        self.notifier = None;
        self.central = None;
        let Ok(device) = self.adapter.device(central) else {
            return;
        };
        match tokio::time::timeout(DISCONNECT_TIMEOUT, device.disconnect()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::debug!(%error, %central, "disconnect refused"),
            Err(_) => tracing::warn!(%central, "disconnect timed out"),
        }
    }

    /// A power cut: the core is gone, the link drops, the GATT application
    /// and advertisement disappear.
    async fn power_off(&mut self, plug: &mut Plug) {
        plug.power_off();
        if let Some(central) = self.central.take() {
            self.disconnect(plug, central).await;
        }
        self.notifier = None;
        self.app = None;
        self.advertised = None;
    }

    async fn serve_application(&mut self) -> Result<(), RefDeviceError> {
        let inputs = self.inputs.clone();
        let adapter = self.adapter.clone();
        let handle = retry("register GATT application", || {
            adapter.serve_gatt_application(application(inputs.clone()))
        })
        .await?;
        self.app = Some(handle);
        Ok(())
    }

    /// Re-advertises if what the plug wants advertised changed.
    async fn sync_advertisement(&mut self, plug: &Plug) {
        let wanted = plug.advertisement();
        if self.advertised.as_ref().map(|(ad, _)| *ad) == wanted {
            return;
        }
        // BlueZ (and the radio) unregister the old one when the handle drops.
        self.advertised = None;
        let Some(ad) = wanted else {
            tracing::info!("advertising stopped");
            return;
        };
        let name = plug.local_name();
        let adapter = self.adapter.clone();
        match retry("advertise", || {
            adapter.advertise(gatt_app::advertisement(&ad, &name))
        })
        .await
        {
            Ok(handle) => {
                tracing::info!(
                    discriminator = ad.discriminator,
                    pairing_open = ad.pairing_open,
                    has_owner = ad.has_owner,
                    "advertising"
                );
                self.advertised = Some((ad, handle));
            }
            // Tried again at the next tick.
            Err(error) => tracing::warn!(%error, "advertising failed"),
        }
    }
}

/// Retries `attempt` with doubling pauses (10 ms … 1.3 s): bluer unregisters
/// a dropped advertisement or application in a background task, and a
/// stack that allows one per adapter refuses the new one until that ran.
async fn retry<T, F, Fut>(what: &str, mut attempt: F) -> Result<T, bluer::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, bluer::Error>>,
{
    let mut pause = Duration::from_millis(10);
    let mut tries = 0;
    loop {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) if tries < 8 => {
                tracing::debug!(%error, what, "retrying");
                tokio::time::sleep(pause).await;
                pause *= 2;
                tries += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

fn application(inputs: mpsc::Sender<Input>) -> Application {
    let notify_inputs = inputs.clone();
    gatt_app::application(
        gatt_app::hearth_service(),
        Box::new(move |value, request| {
            let inputs = inputs.clone();
            Box::pin(async move {
                let input = Input::Write {
                    value,
                    mtu: request.mtu,
                    central: request.device_address,
                };
                // A closed channel means the device is stopping.
                let _ = inputs.send(input).await;
                Ok(())
            })
        }),
        Box::new(move |notifier| {
            let inputs = notify_inputs.clone();
            Box::pin(async move {
                let _ = inputs.send(Input::Subscribed(notifier)).await;
            })
        }),
    )
}
