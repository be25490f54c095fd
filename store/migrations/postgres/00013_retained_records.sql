-- +goose Up
-- What a deletion keeps on a legal ground (an erasure rule of the policy)
-- moves out of events into retained_records, re-sealed under the person's
-- retention key; their data key is then destroyed, so nothing else of them
-- stays decryptable. The retention key is wrapped by the master key like a
-- data key, and is destroyed once the last retained record has gone.
CREATE TABLE retention_keys (
    subject_id  TEXT    PRIMARY KEY REFERENCES subjects (id),
    wrapped_key BYTEA   NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE retained_records (
    id           BIGSERIAL PRIMARY KEY,
    subject_id   TEXT    NOT NULL REFERENCES subjects (id),
    category     TEXT    NOT NULL,
    purpose      TEXT    NOT NULL,
    source       TEXT    NOT NULL DEFAULT '',
    value_sealed BYTEA,
    occurred_at  BIGINT  NOT NULL,
    retained_at  BIGINT  NOT NULL,
    until_at     BIGINT  NOT NULL,
    ground       TEXT    NOT NULL,
    reason       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX retained_records_subject ON retained_records (subject_id);
CREATE INDEX retained_records_until ON retained_records (until_at);

-- +goose Down
DROP TABLE retained_records;
DROP TABLE retention_keys;
