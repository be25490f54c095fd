-- +goose Up
-- What an erasure left in a connected system because the policy's erasure
-- rules retain some fields there: the rows (their primary keys, sealed by
-- the master key) and the fields, until when. The retention sweep erases
-- those fields once the retention ends (or the rows, where the collection
-- is erased by deleting rows: delete_rows), then deletes the entry.
CREATE TABLE connected_retained (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  TEXT    NOT NULL,
    collection  TEXT    NOT NULL,
    fields      TEXT    NOT NULL,
    keys_sealed BLOB   NOT NULL,
    delete_rows INTEGER  NOT NULL,
    until_at    INTEGER  NOT NULL,
    created_at  INTEGER  NOT NULL,
    UNIQUE (request_id, collection, until_at)
);
CREATE INDEX connected_retained_until ON connected_retained (until_at);

-- +goose Down
DROP TABLE connected_retained;
