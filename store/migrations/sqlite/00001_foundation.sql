-- +goose Up
-- Times are Unix microseconds (UTC) in both dialects so the same SQL compares them.
CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    hash         BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);

CREATE TABLE policy_versions (
    version      INTEGER PRIMARY KEY,
    manifest     BLOB    NOT NULL,
    digest       TEXT    NOT NULL,
    last_updated TEXT    NOT NULL,
    effective_at INTEGER NOT NULL,
    published_at INTEGER NOT NULL,
    published_by TEXT    NOT NULL,
    material     INTEGER NOT NULL,
    summary      TEXT    NOT NULL
);
CREATE INDEX policy_versions_effective ON policy_versions (effective_at);

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    object    TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL
);

CREATE TABLE audit_checkpoints (
    seq       INTEGER PRIMARY KEY,
    hash      BLOB    NOT NULL,
    at        INTEGER NOT NULL,
    key_id    TEXT    NOT NULL,
    signature BLOB    NOT NULL
);

CREATE TABLE instance_keys (
    name       TEXT    PRIMARY KEY,
    public     BLOB    NOT NULL,
    sealed     BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE instance_keys;
DROP TABLE audit_checkpoints;
DROP TABLE audit_log;
DROP TABLE policy_versions;
DROP TABLE tokens;
