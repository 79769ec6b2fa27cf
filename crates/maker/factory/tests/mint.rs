//! Full minting: vendor keys → identities → a device core that boots from a
//! minted bundle and pairs with the code printed on its label.

#[path = "../../../device/core/tests/support/mod.rs"]
mod support;

use hearth_device::storage::MemoryStorage;
use hearth_factory::mint::{BUNDLE_FILE, MintRequest, mint, read_bundle};
use hearth_factory::os_rng::os_csprng;
use hearth_factory::vendor::{self, VendorKeys, init_vendor};
use hearth_protocol::setup_code::{DiscriminatorHint, SETUP_CODE_VERSION, SetupCode};
use std::collections::HashSet;
use std::path::Path;

const NOW: u64 = 1_800_000_000;

fn label_code(folder: &Path) -> SetupCode {
    let text = std::fs::read_to_string(folder.join("label.txt")).unwrap();
    let manual = text
        .lines()
        .find_map(|l| l.strip_prefix("Setup code: "))
        .unwrap();
    let parsed = SetupCode::parse(manual).unwrap();
    // The QR image carries the same code, with the full discriminator.
    let png = std::fs::read(folder.join("label.png")).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let (_, payload) = image.detect_grids()[0].decode().unwrap();
    let from_qr = SetupCode::parse(&payload).unwrap();
    assert_eq!(from_qr.passcode, parsed.passcode);
    let DiscriminatorHint::Full(discriminator) = from_qr.discriminator else {
        panic!("QR codes carry the full discriminator")
    };
    assert!(parsed.discriminator.matches(discriminator));
    SetupCode {
        version: SETUP_CODE_VERSION,
        discriminator,
        passcode: parsed.passcode,
    }
}

#[test]
fn a_minted_device_pairs_with_the_code_on_its_label() {
    let dir = tempfile::tempdir().unwrap();
    let profile = init_vendor(&dir.path().join("vendor"), "Acme", NOW, &mut os_csprng()).unwrap();
    let keys = VendorKeys::load(&dir.path().join("vendor")).unwrap();
    let out = dir.path().join("out");
    let mut calls = 0;
    let minted = mint(
        &keys,
        &out,
        &MintRequest::new("PLUG", 40, NOW),
        &mut os_csprng(),
        &mut |done, total| {
            calls += 1;
            assert!(done <= total);
        },
    )
    .unwrap();
    assert_eq!((minted.len(), calls), (40, 40));

    let mut passcodes = HashSet::new();
    let mut identity_keys = HashSet::new();
    for m in &minted {
        let identity = read_bundle(&m.folder).unwrap();
        assert_eq!(identity.serial, m.serial);
        let code = label_code(&m.folder);
        assert_eq!(code.discriminator.value(), identity.discriminator);
        assert!(passcodes.insert(code.passcode.expose_secret()));
        assert!(identity_keys.insert(identity.identity_key.expose().to_vec()));
        let bundle_bytes = std::fs::read(m.folder.join(BUNDLE_FILE)).unwrap();
        let digits = code.manual_digits();
        assert!(
            !bundle_bytes
                .windows(digits.len())
                .any(|w| w == digits.as_bytes()),
            "the bundle holds the verifier, never the code"
        );
    }

    // Pair three of them, each with its own label, through the device core.
    let root_public: [u8; 32] = hex::decode(&profile.root_public_key)
        .unwrap()
        .try_into()
        .unwrap();
    for m in minted.iter().step_by(17) {
        let identity = read_bundle(&m.folder).unwrap();
        let code = label_code(&m.folder);
        let device = support::Minted {
            identity: identity.clone(),
            code: code.clone(),
            root_public,
        };
        let mut core = support::boot(MemoryStorage::new(), &device, NOW);
        // The wrong code (a neighbour's) fails; the device's own code works.
        let neighbour = label_code(
            &minted[(minted.iter().position(|x| x.serial == m.serial).unwrap() + 1) % 40].folder,
        );
        assert!(matches!(
            support::pair(
                &mut core,
                &device,
                &neighbour.passcode,
                support::WIFI_PASS,
                NOW
            ),
            Err(support::Outcome::WrongCode)
        ));
        core.disconnect();
        let app = support::pair(
            &mut core,
            &device,
            &code.passcode,
            support::WIFI_PASS,
            NOW + 1,
        )
        .unwrap();
        assert_eq!(app.device_identity.to_vec(), {
            let key: [u8; 32] = identity.identity_key.expose().try_into().unwrap();
            hearth_protocol::attestation::IdentityKey::from_secret_bytes(&key)
                .public()
                .to_vec()
        });
        assert_eq!(
            identity.firmware_public_key,
            keys.firmware_public_key.to_vec()
        );
    }
}

#[test]
fn a_second_batch_continues_serials_and_never_repeats_a_code() {
    let dir = tempfile::tempdir().unwrap();
    init_vendor(&dir.path().join("vendor"), "Acme", NOW, &mut os_csprng()).unwrap();
    let keys = VendorKeys::load(&dir.path().join("vendor")).unwrap();
    let out = dir.path().join("out");
    let first = mint(
        &keys,
        &out,
        &MintRequest::new("PLUG", 5, NOW),
        &mut os_csprng(),
        &mut |_, _| {},
    )
    .unwrap();
    let second = mint(
        &keys,
        &out,
        &MintRequest::new("LAMP", 5, NOW),
        &mut os_csprng(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(first[0].serial, "PLUG-00000001");
    assert_eq!(second[0].serial, "LAMP-00000006");
    let codes: HashSet<u32> = first
        .iter()
        .chain(&second)
        .map(|m| label_code(&m.folder).passcode.expose_secret())
        .collect();
    assert_eq!(codes.len(), 10);
    // A folder that already exists under a registered serial is never overwritten.
    std::fs::remove_file(out.join(hearth_factory::registry::REGISTRY_FILE)).unwrap();
    let err = mint(
        &keys,
        &out,
        &MintRequest::new("PLUG", 1, NOW),
        &mut os_csprng(),
        &mut |_, _| {},
    )
    .unwrap_err();
    assert_eq!(err.code(), "factory_identity_exists");
}

#[cfg(unix)]
#[test]
fn vendor_keys_are_owner_only_and_never_overwritten() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let vendor_dir = dir.path().join("vendor");
    init_vendor(&vendor_dir, "Acme", NOW, &mut os_csprng()).unwrap();
    for key in [
        vendor::ROOT_KEY,
        vendor::DEVICE_CA_KEY,
        vendor::FIRMWARE_KEY,
    ] {
        let mode = std::fs::metadata(vendor_dir.join(key))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{key}");
    }
    let before = std::fs::read(vendor_dir.join(vendor::ROOT_KEY)).unwrap();
    let err = init_vendor(&vendor_dir, "Acme", NOW, &mut os_csprng()).unwrap_err();
    assert_eq!(err.code(), "factory_vendor_exists");
    assert_eq!(
        std::fs::read(vendor_dir.join(vendor::ROOT_KEY)).unwrap(),
        before
    );

    // Keys from another vendor folder do not load as a set.
    let other = dir.path().join("other");
    init_vendor(&other, "Other", NOW, &mut os_csprng()).unwrap();
    std::fs::copy(
        other.join(vendor::FIRMWARE_KEY),
        vendor_dir.join(vendor::FIRMWARE_KEY),
    )
    .unwrap();
    assert_eq!(
        VendorKeys::load(&vendor_dir).unwrap_err().code(),
        "factory_bad_vendor_file"
    );
}

#[test]
fn the_cli_mints_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_hearth-factory");
    let vendor_dir = dir.path().join("vendor");
    let out = dir.path().join("out");
    let run =
        |args: &[&std::ffi::OsStr]| std::process::Command::new(bin).args(args).output().unwrap();
    let help = run(&["init-vendor".as_ref(), "--help".as_ref()]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("HSM"));
    assert!(
        run(&[
            "init-vendor".as_ref(),
            "--out".as_ref(),
            vendor_dir.as_os_str()
        ])
        .status
        .success()
    );
    let mint_args = |model: &str| {
        run(&[
            "mint".as_ref(),
            "--vendor".as_ref(),
            vendor_dir.as_os_str(),
            "--model".as_ref(),
            model.as_ref(),
            "--count".as_ref(),
            "3".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
    };
    assert!(mint_args("PLUG").status.success());
    assert!(mint_args("PLUG").status.success());
    let bad = mint_args("no spaces");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("factory_invalid_model"));
    let registry =
        std::fs::read_to_string(out.join(hearth_factory::registry::REGISTRY_FILE)).unwrap();
    assert_eq!(registry.lines().count(), 1 + 6);
}

/// The app's own pairing client (`hearth_protocol::pairing`) pairs with a minted
/// device using only what a user has: the label's QR payload and the vendor profile.
#[test]
fn the_app_pairing_client_pairs_with_a_minted_device_from_its_qr_label() {
    use hearth_protocol::message::{Passphrase, Provisioning, Role};
    use hearth_protocol::pairing::{PairingClient, PairingStep};

    let dir = tempfile::tempdir().unwrap();
    let vendor_dir = dir.path().join("vendor");
    init_vendor(&vendor_dir, "Acme", NOW, &mut os_csprng()).unwrap();
    let keys = VendorKeys::load(&vendor_dir).unwrap();
    let minted = mint(
        &keys,
        &dir.path().join("out"),
        &MintRequest::new("PLUG", 1, NOW),
        &mut os_csprng(),
        &mut |_, _| {},
    )
    .unwrap();
    let folder = &minted[0].folder;

    let profile: vendor::VendorProfile =
        serde_json::from_slice(&std::fs::read(vendor_dir.join(vendor::PROFILE)).unwrap()).unwrap();
    let root: [u8; 32] = hex::decode(profile.root_public_key)
        .unwrap()
        .try_into()
        .unwrap();
    let qr_payload = label_code(folder).qr_payload();

    let mut core = hearth_device::DeviceCore::boot(
        MemoryStorage::new(),
        Some(read_bundle(folder).unwrap()),
        support::peripherals(1),
        NOW,
    )
    .unwrap();
    let provisioning = Provisioning {
        wifi_ssid: support::SSID.into(),
        wifi_passphrase: Passphrase::new(support::WIFI_PASS.into()),
        owner_public_key: hearth_protocol::handshake::OwnerKey::generate(&mut os_csprng()).public(),
        device_name: "Hall plug".into(),
        role: Role::Owner,
    };
    let mut client =
        PairingClient::new(&SetupCode::parse(&qr_payload).unwrap(), provisioning, root)
            .expect_model("PLUG");
    let mut outgoing = client.start().unwrap();
    let mut round_trips = 0;
    let paired = loop {
        round_trips += 1;
        let answer = core.handle(&outgoing, NOW + 1).unwrap();
        match client.handle(&answer, NOW + 1, &mut os_csprng()).unwrap() {
            PairingStep::Send(next) => outgoing = next,
            PairingStep::Paired(paired) => break paired,
            PairingStep::Ignored => unreachable!("no events before pairing"),
        }
    };
    assert_eq!(round_trips, 3, "EN 303 645 4.12-1 budget");
    assert_eq!(paired.device.serial, minted[0].serial);
    assert_eq!(
        core.state().user(paired.user_id).map(|u| u.name.as_str()),
        Some("Hall plug")
    );
}
