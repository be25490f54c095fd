-- +goose Up
-- A subject's identities and values are sealed under its own data key
-- (wrapped_key, sealed by the master key). Erasure drops the key: whatever
-- ciphertext survives anywhere can no longer be read.
CREATE TABLE subjects (
    id          TEXT    PRIMARY KEY,
    wrapped_key BYTEA,
    created_at  BIGINT NOT NULL,
    erased_at   BIGINT,
    merged_into TEXT
);

-- Identities are found by a keyed blind index (HMAC of the normalised
-- value, keyed per kind so it is unique on its own), never by the value,
-- which is stored sealed.
CREATE TABLE identities (
    kind       TEXT    NOT NULL,
    blind      BYTEA   NOT NULL,
    subject_id TEXT    NOT NULL REFERENCES subjects (id),
    sealed     BYTEA   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blind)
);
CREATE INDEX identities_subject ON identities (subject_id);

CREATE TABLE events (
    id             BIGSERIAL PRIMARY KEY,
    subject_id     TEXT    NOT NULL REFERENCES subjects (id),
    kind           TEXT    NOT NULL,
    category       TEXT    NOT NULL,
    purpose        TEXT    NOT NULL,
    source         TEXT    NOT NULL DEFAULT '',
    recipient      TEXT    NOT NULL DEFAULT '',
    legal_ground   TEXT    NOT NULL DEFAULT '',
    vendor         TEXT    NOT NULL DEFAULT '',
    value_sealed   BYTEA,
    occurred_at    BIGINT NOT NULL,
    recorded_at    BIGINT NOT NULL,
    policy_version BIGINT NOT NULL,
    no_contract    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX events_subject ON events (subject_id);
CREATE INDEX events_occurred ON events (occurred_at);

CREATE TABLE contracts (
    id         BIGSERIAL PRIMARY KEY,
    recipient  TEXT    NOT NULL,
    vendor     TEXT    NOT NULL DEFAULT '',
    signed_at  BIGINT NOT NULL,
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX contracts_recipient ON contracts (recipient);

-- +goose Down
DROP TABLE contracts;
DROP TABLE events;
DROP TABLE identities;
DROP TABLE subjects;
