-- +goose Up
-- What a deletion keeps on a legal ground (an erasure rule of the policy)
-- moves out of events into retained_records, re-sealed under the person's
-- retention key; their data key is then destroyed, so nothing else of them
-- stays decryptable. The retention key is wrapped by the master key like a
-- data key, and is destroyed once the last retained record has gone.
CREATE TABLE retention_keys (
    subject_id  TEXT    PRIMARY KEY REFERENCES subjects (id),
    wrapped_key BLOB   NOT NULL,
    created_at  INTEGER  NOT NULL
);

CREATE TABLE retained_records (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id   TEXT    NOT NULL REFERENCES subjects (id),
    category     TEXT    NOT NULL,
    purpose      TEXT    NOT NULL,
    source       TEXT    NOT NULL DEFAULT '',
    value_sealed BLOB,
    occurred_at  INTEGER  NOT NULL,
    retained_at  INTEGER  NOT NULL,
    until_at     INTEGER  NOT NULL,
    ground       TEXT    NOT NULL,
    reason       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX retained_records_subject ON retained_records (subject_id);
CREATE INDEX retained_records_until ON retained_records (until_at);

-- +goose Down
DROP TABLE retained_records;
DROP TABLE retention_keys;
