-- +goose Up
-- The consent ledger is append-only: a choice is never updated or deleted,
-- a later entry supersedes it. principal is a subject id, or "device:<id>"
-- for a browser not yet known as a person. scope is a purpose key, or one of
-- the reserved scopes sale_sharing and direct_marketing.
CREATE TABLE consent_events (
    id             BIGSERIAL PRIMARY KEY,
    principal      TEXT    NOT NULL,
    scope          TEXT    NOT NULL,
    granted        BOOLEAN NOT NULL,
    jurisdiction   TEXT    NOT NULL,
    method         TEXT    NOT NULL,
    gpc            BOOLEAN NOT NULL,
    policy_version BIGINT NOT NULL,
    receipt_id     TEXT    NOT NULL,
    at             BIGINT NOT NULL
);
CREATE INDEX consent_events_principal ON consent_events (principal, scope, id);

-- Signed consent receipts (compact JWS, EdDSA).
CREATE TABLE receipts (
    id         TEXT    PRIMARY KEY,
    principal  TEXT    NOT NULL,
    jws        TEXT    NOT NULL,
    created_at BIGINT NOT NULL
);

-- Opt-outs kept by the blind index of an address, so they outlive the
-- erasure of the person and apply again if the address comes back.
CREATE TABLE suppressions (
    blind      BYTEA   NOT NULL,
    scope      TEXT    NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blind, scope)
);

ALTER TABLE subjects ADD COLUMN restricted_at BIGINT;
ALTER TABLE subjects ADD COLUMN minor_at BIGINT;

-- +goose Down
ALTER TABLE subjects DROP COLUMN minor_at;
ALTER TABLE subjects DROP COLUMN restricted_at;
DROP TABLE suppressions;
DROP TABLE receipts;
DROP TABLE consent_events;
