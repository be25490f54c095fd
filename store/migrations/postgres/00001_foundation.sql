-- +goose Up
-- Times are Unix microseconds (UTC) in both dialects so the same SQL compares them.
CREATE TABLE tokens (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    hash         BYTEA   NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL,
    revoked_at   BIGINT,
    last_used_at BIGINT
);

CREATE TABLE policy_versions (
    version      BIGINT  PRIMARY KEY,
    manifest     BYTEA   NOT NULL,
    digest       TEXT    NOT NULL,
    last_updated TEXT    NOT NULL,
    effective_at BIGINT  NOT NULL,
    published_at BIGINT  NOT NULL,
    published_by TEXT    NOT NULL,
    material     BOOLEAN NOT NULL,
    summary      TEXT    NOT NULL
);
CREATE INDEX policy_versions_effective ON policy_versions (effective_at);

CREATE TABLE audit_log (
    seq       BIGINT  PRIMARY KEY,
    at        BIGINT  NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    object    TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    prev_hash BYTEA   NOT NULL,
    hash      BYTEA   NOT NULL
);

CREATE TABLE audit_checkpoints (
    seq       BIGINT  PRIMARY KEY,
    hash      BYTEA   NOT NULL,
    at        BIGINT  NOT NULL,
    key_id    TEXT    NOT NULL,
    signature BYTEA   NOT NULL
);

CREATE TABLE instance_keys (
    name       TEXT    PRIMARY KEY,
    public     BYTEA   NOT NULL,
    sealed     BYTEA   NOT NULL,
    created_at BIGINT  NOT NULL
);

-- +goose Down
DROP TABLE instance_keys;
DROP TABLE audit_checkpoints;
DROP TABLE audit_log;
DROP TABLE policy_versions;
DROP TABLE tokens;
