-- Devices this app has set up. No secrets here: owner keys live in the OS keyring
-- (EN 303 645 4.4-1); this table holds only what the device list shows.
CREATE TABLE devices (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    model TEXT NOT NULL,
    serial TEXT NOT NULL UNIQUE,
    firmware_version TEXT NOT NULL,
    added_at INTEGER NOT NULL
);
