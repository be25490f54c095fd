-- +goose Up
-- A privacy request. The requester's address is kept sealed by the master
-- key (the person may not be a subject yet) and found by its blind index.
-- Secrets (the e-mailed code, the access token) are kept as hashes.
CREATE TABLE privacy_requests (
    id                TEXT    PRIMARY KEY,
    type              TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    jurisdiction      TEXT    NOT NULL,
    email_blind       BYTEA   NOT NULL,
    email_sealed      BYTEA   NOT NULL,
    subject_id        TEXT,
    channel           TEXT    NOT NULL,
    agent_name        TEXT    NOT NULL DEFAULT '',
    agent_proof       TEXT    NOT NULL DEFAULT '',
    details_sealed    BYTEA,
    appeal_of         TEXT,
    duplicate_of      TEXT,
    received_at       BIGINT NOT NULL,
    verified_at       BIGINT,
    acknowledge_by    BIGINT,
    due_at            BIGINT NOT NULL,
    extended_until    BIGINT,
    completed_at      BIGINT,
    code_hash         BYTEA,
    code_expires_at   BIGINT,
    code_attempts     BIGINT NOT NULL DEFAULT 0,
    token_hash        BYTEA,
    decision_code     TEXT    NOT NULL DEFAULT '',
    decision_text     TEXT    NOT NULL DEFAULT '',
    decided_by        TEXT    NOT NULL DEFAULT '',
    result_sealed     BYTEA,
    result_expires_at BIGINT
);
CREATE INDEX privacy_requests_status_due ON privacy_requests (status, due_at);
CREATE INDEX privacy_requests_email ON privacy_requests (email_blind, type, received_at);

-- What happened to each request, in order. Notes hold no personal data.
CREATE TABLE request_events (
    id         BIGSERIAL PRIMARY KEY,
    request_id TEXT    NOT NULL REFERENCES privacy_requests (id),
    at         BIGINT NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX request_events_request ON request_events (request_id, id);

-- Mail waits here, written in the same transaction as what caused it, until
-- a sender delivers it: a crash loses no message.
CREATE TABLE outbox (
    id              TEXT    PRIMARY KEY,
    sealed          BYTEA   NOT NULL,
    created_at      BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    sent_at         BIGINT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);

-- +goose Down
DROP TABLE outbox;
DROP TABLE request_events;
DROP TABLE privacy_requests;
