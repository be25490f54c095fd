-- +goose Up
-- When a person's account closed or relationship ended: the triggers of
-- retention rules that run from those moments.
ALTER TABLE subjects ADD COLUMN account_closed_at BIGINT;
ALTER TABLE subjects ADD COLUMN relationship_ended_at BIGINT;

-- Legal holds: while one stands, nothing of the subject is erased by sweeps
-- or deletion requests. The reason may name a matter, so it is sealed.
CREATE TABLE legal_holds (
    id            BIGSERIAL PRIMARY KEY,
    subject_id    TEXT    NOT NULL REFERENCES subjects (id),
    reason_sealed BYTEA   NOT NULL,
    created_at    BIGINT NOT NULL,
    created_by    TEXT    NOT NULL,
    released_at   BIGINT,
    released_by   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX legal_holds_subject ON legal_holds (subject_id, released_at);

-- Sweeps find a category's old events by this index.
CREATE INDEX events_category_occurred ON events (category, occurred_at);

CREATE TABLE retention_sweeps (
    id          BIGSERIAL PRIMARY KEY,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT,
    as_of       BIGINT NOT NULL,
    dry_run     BOOLEAN NOT NULL DEFAULT FALSE,
    erased      BIGINT NOT NULL DEFAULT 0,
    subjects    BIGINT NOT NULL DEFAULT 0,
    actor       TEXT    NOT NULL
);

-- +goose Down
DROP TABLE retention_sweeps;
DROP INDEX events_category_occurred;
DROP TABLE legal_holds;
ALTER TABLE subjects DROP COLUMN relationship_ended_at;
ALTER TABLE subjects DROP COLUMN account_closed_at;
