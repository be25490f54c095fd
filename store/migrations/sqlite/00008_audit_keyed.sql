-- +goose Up
-- The entry that marks where keyed (HMAC) audit entries begin is found by
-- every process that appends, once; this keeps that a look-up, not a scan.
CREATE INDEX audit_log_keyed ON audit_log (seq) WHERE action = 'audit.keyed';

-- Small facts of the instance that every server must agree on, such as the
-- id of the master key's current primary (servers reload their key file
-- when it changes).
CREATE TABLE instance_settings (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE instance_settings;
DROP INDEX audit_log_keyed;
