-- Portable SQL: runs unchanged on SQLite and PostgreSQL (sqlx `Any` driver).
-- Times are BIGINT Unix seconds; ids are TEXT (UUIDs from the service); booleans are not stored.
-- No column holds an IP address or a device id (EN 303 645 4.10-2, 6-5).

-- Per-period HMAC keys for telemetry pseudonyms; deleted after their period (key erasure).
CREATE TABLE pseudonym_keys (
    period BIGINT PRIMARY KEY,
    key_hex TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Pseudonyms handed out, so reports under made-up identifiers are refused. No device id.
CREATE TABLE pseudonyms (
    pseudonym TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    period BIGINT NOT NULL,
    valid_until BIGINT NOT NULL
);

-- idempotency_key: random key chosen by the client per report, so a retried POST is stored once.
CREATE TABLE telemetry_reports (
    id TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    idempotency_key TEXT UNIQUE
);
CREATE INDEX telemetry_reports_received ON telemetry_reports (received_at);

-- One row per manifest field of a report, each with its own retention from the manifest.
CREATE TABLE telemetry_values (
    report_id TEXT NOT NULL REFERENCES telemetry_reports (id),
    name TEXT NOT NULL,
    int_value BIGINT,
    text_value TEXT,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, name)
);
CREATE INDEX telemetry_values_name ON telemetry_values (name);
CREATE INDEX telemetry_values_expiry ON telemetry_values (expires_at);
