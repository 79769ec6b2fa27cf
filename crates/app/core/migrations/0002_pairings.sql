-- What the app needs to reach a device it has paired, beside its `devices` row. Only
-- public values: the device's attested identity key, the owner's user id on the device
-- and the advertised discriminator. The owner's private key lives in the OS keyring
-- (EN 303 645 4.4-1), never here.
CREATE TABLE pairings (
    device_id TEXT PRIMARY KEY NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    discriminator INTEGER NOT NULL,
    identity_key BLOB NOT NULL,
    user_id INTEGER NOT NULL
);
