-- +goose Up
-- Admin console sessions, kept on the server: the signed cookie names a
-- row here, and signing out deletes it, so a copied cookie stops working.
-- Only a hash of the session id is stored. Rows past expires_at are pruned.
CREATE TABLE console_sessions (
    id_hash    BYTEA  PRIMARY KEY,
    token_id   BIGINT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);

-- Banner devices for which a device token was issued: from then on only a
-- holder of that token may record choices for the device.
CREATE TABLE banner_devices (
    device_id TEXT   PRIMARY KEY,
    issued_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE banner_devices;
DROP TABLE console_sessions;
