//! The plug without a radio: its frame link driven in memory by the app's
//! pairing client, with a manual clock. Checks brute-force protection
//! across a power cut and the button (EN 303 645 4.1-1, v2.1.1 5.1-5), and
//! that hostile segments or a dead plug drop the link instead of panicking.

mod support;

use hearth_device::lockout::{MAX_FAILURES, delay_after};
use hearth_protocol::frame::{FrameConfig, Link};
use hearth_protocol::handshake::OwnerKey;
use hearth_protocol::pairing::{Paired, PairingClient, PairingError, PairingStep};
use hearth_reference_device::clock::ManualClock;
use hearth_reference_device::plug::{LinkFault, Plug, PlugConfig, read_identity};
use hearth_reference_device::wifi::SimulatedWifi;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::collections::VecDeque;
use support::{MintedDevice, SSID, WIFI_PASS, client, mint_device, unix_now, wrong_passcode};

const MTU: u16 = 185;
const CENTRAL: &str = "00:48:52:00:00:00";

fn boot(device: &MintedDevice, clock: &ManualClock) -> Plug {
    Plug::boot(
        PlugConfig {
            identity: read_identity(&device.identity).unwrap(),
            state_dir: device.state.clone(),
            wifi: SimulatedWifi::none().with_network(SSID, WIFI_PASS),
            seed: 3,
        },
        Box::new(clock.clone()),
    )
    .unwrap()
}

/// The app's end of one GATT connection to the plug, in memory.
struct Connection<'a> {
    plug: &'a mut Plug,
    app: Link,
    from_plug: VecDeque<Vec<u8>>,
}

impl<'a> Connection<'a> {
    fn open(plug: &'a mut Plug) -> Self {
        plug.on_disconnect();
        Self {
            plug,
            app: Link::new(FrameConfig::with_mtu(usize::from(MTU)).unwrap()),
            from_plug: VecDeque::new(),
        }
    }

    fn exchange(&mut self, request: Vec<u8>) -> Vec<u8> {
        self.app.send(request).unwrap();
        for _ in 0..10_000 {
            while let Some(segment) = self.app.poll_transmit() {
                self.plug.on_write(CENTRAL, MTU, &segment).unwrap();
            }
            self.from_plug.extend(self.plug.transmit());
            while let Some(segment) = self.from_plug.pop_front() {
                if let Some(message) = self.app.receive(&segment).unwrap() {
                    return message;
                }
            }
        }
        panic!("no answer");
    }

    fn pair(&mut self, mut client: PairingClient) -> Result<Paired, PairingError> {
        let mut rng = StdRng::seed_from_u64(9);
        let mut answer = self.exchange(client.start()?);
        loop {
            match client.handle(&answer, unix_now(), &mut rng)? {
                PairingStep::Send(next) => answer = self.exchange(next),
                PairingStep::Ignored => panic!("no events before pairing"),
                PairingStep::Paired(paired) => return Ok(*paired),
            }
        }
    }
}

#[test]
fn lockout_survives_a_power_cut_and_only_the_button_lifts_it() {
    let dir = tempfile::tempdir().unwrap();
    let device = mint_device(dir.path());
    let clock = ManualClock::new(unix_now());
    let mut plug = boot(&device, &clock);
    let owner = OwnerKey::generate(&mut StdRng::seed_from_u64(1));
    let right = || client(&device, device.code.passcode.clone(), &owner, WIFI_PASS);

    for failures in 0..MAX_FAILURES {
        clock.advance(delay_after(failures));
        let result = Connection::open(&mut plug).pair(client(
            &device,
            wrong_passcode(&device.code),
            &owner,
            WIFI_PASS,
        ));
        assert!(
            matches!(result, Err(PairingError::WrongCode { attempts_left }) if attempts_left == MAX_FAILURES - failures - 1),
            "{result:?}"
        );
    }
    let status = plug.status();
    assert_eq!(status.failed_attempts, MAX_FAILURES);
    assert!(!status.pairing_open, "locked out: the window is shut");
    assert!(!plug.advertisement().unwrap().pairing_open);
    clock.advance(3600);
    let locked = Connection::open(&mut plug).pair(right());
    assert!(
        matches!(locked, Err(PairingError::LockedUntilButton)),
        "{locked:?}"
    );

    // A power cut gives an attacker nothing.
    plug.power_off();
    plug.power_on().unwrap();
    assert_eq!(plug.status().failed_attempts, MAX_FAILURES);
    let still_locked = Connection::open(&mut plug).pair(right());
    assert!(
        matches!(still_locked, Err(PairingError::LockedUntilButton)),
        "{still_locked:?}"
    );

    // Someone at the device presses the button.
    plug.press_button().unwrap();
    assert!(plug.advertisement().unwrap().pairing_open);
    let paired = Connection::open(&mut plug).pair(right()).expect("pairs");
    assert_eq!(paired.device_info.model, "PLUG");
    let ad = plug.advertisement().unwrap();
    assert!(ad.has_owner && !ad.pairing_open);
    assert_eq!(plug.status().failed_attempts, 0);
}

#[test]
fn hostile_segments_and_a_dead_plug_drop_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let device = mint_device(dir.path());
    let clock = ManualClock::new(unix_now());
    let mut plug = boot(&device, &clock);
    assert_eq!(
        plug.local_name(),
        format!("Hearth Plug {:04X}", device.discriminator)
    );

    for garbage in [vec![0xff; 3], vec![], vec![0x00; usize::from(MTU)]] {
        let fault = plug.on_write(CENTRAL, MTU, &garbage);
        if let Err(fault) = fault {
            assert!(matches!(fault, LinkFault::Frame(_)), "{fault:?}");
            assert!(!plug.status().connected);
        }
    }
    // A segment longer than the MTU allows is never accepted.
    let too_long = plug.on_write(CENTRAL, 23, &[0u8; 100]);
    assert!(matches!(too_long, Err(LinkFault::Frame(_))), "{too_long:?}");

    plug.power_off();
    assert_eq!(plug.advertisement(), None);
    assert!(!plug.status().powered);
    assert!(matches!(
        plug.on_write(CENTRAL, MTU, &[0]),
        Err(LinkFault::PoweredOff)
    ));
    assert!(plug.press_button().is_err());
    assert!(plug.transmit().is_empty());

    plug.power_on().unwrap();
    let ad = plug.advertisement().unwrap();
    assert!(ad.pairing_open && !ad.has_owner);
    assert_eq!(ad.discriminator, device.discriminator);
}
