-- +goose Up
-- Datasets describe the company's own databases. The source file is kept as
-- imported (it holds no personal data) and parsed again when loaded, so a
-- better parser never needs a data migration.
CREATE TABLE datasets (
    key         TEXT PRIMARY KEY,
    file_name   TEXT NOT NULL,
    source      BLOB NOT NULL,
    digest      TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by TEXT NOT NULL
);

-- Connections reach a dataset's system. The URL carries credentials and the
-- webhook secret signs calls, so both are sealed by the master key.
CREATE TABLE connections (
    name          TEXT PRIMARY KEY,
    dataset_key   TEXT NOT NULL,
    url_sealed    BLOB NOT NULL,
    secret_sealed BLOB,
    read_only     INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    created_by    TEXT NOT NULL
);

-- One task per request, phase and collection: the checkpoint of a request
-- run against connected systems. Found rows are personal data, so the
-- checkpoint is sealed, and it is dropped when the request completes.
CREATE TABLE dsr_tasks (
    request_id  TEXT NOT NULL,
    phase       TEXT NOT NULL,
    collection  TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    found       INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,
    checkpoint  BLOB,
    error       TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (request_id, phase, collection)
);
CREATE INDEX dsr_tasks_status ON dsr_tasks (status);

-- +goose Down
DROP TABLE dsr_tasks;
DROP TABLE connections;
DROP TABLE datasets;
