-- What the app last fetched from the vendor service, exactly as received, so it can be shown
-- (marked with the time it was fetched) when the service cannot be reached. Signed catalogue
-- entries are checked again with the vendor profile's key every time they are read, so a
-- changed row is refused rather than shown. Nothing personal is stored here.
CREATE TABLE vendor_cache (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    body BLOB NOT NULL,
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);
