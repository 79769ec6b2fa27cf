-- Period keys at rest are wrapped (ChaCha20-Poly1305) under pseudonym-wrap.key, a 0600 file
-- beside the other secrets, so the database alone does not turn device ids into pseudonyms.
-- At start the service wraps any plaintext rows of pseudonym_keys into this table and deletes
-- them; pseudonym_keys stays, empty, for the migrations already applied.
CREATE TABLE period_keys (
    period BIGINT PRIMARY KEY,
    wrapped_hex TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
