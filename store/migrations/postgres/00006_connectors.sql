-- +goose Up
-- Datasets describe the company's own databases. The source file is kept as
-- imported (it holds no personal data) and parsed again when loaded, so a
-- better parser never needs a data migration.
CREATE TABLE datasets (
    key         TEXT PRIMARY KEY,
    file_name   TEXT NOT NULL,
    source      BYTEA NOT NULL,
    digest      TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    imported_by TEXT NOT NULL
);

-- Connections reach a dataset's system. The URL carries credentials and the
-- webhook secret signs calls, so both are sealed by the master key.
CREATE TABLE connections (
    name          TEXT PRIMARY KEY,
    dataset_key   TEXT NOT NULL,
    url_sealed    BYTEA NOT NULL,
    secret_sealed BYTEA,
    read_only     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    created_by    TEXT NOT NULL
);

-- One task per request, phase and collection: the checkpoint of a request
-- run against connected systems. Found rows are personal data, so the
-- checkpoint is sealed, and it is dropped when the request completes.
CREATE TABLE dsr_tasks (
    request_id  TEXT NOT NULL,
    phase       TEXT NOT NULL,
    collection  TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    status      TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    found       BIGINT NOT NULL DEFAULT 0,
    done        BIGINT NOT NULL DEFAULT 0,
    checkpoint  BYTEA,
    error       TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (request_id, phase, collection)
);
CREATE INDEX dsr_tasks_status ON dsr_tasks (status);

-- +goose Down
DROP TABLE dsr_tasks;
DROP TABLE connections;
DROP TABLE datasets;
