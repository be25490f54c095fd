-- +goose Up
-- An event processed on behalf of a controller (Customer Content) names
-- it; '' is the company's own processing. Reports of the company's own
-- processing leave such events out, and the processor record lists them.
ALTER TABLE events ADD COLUMN controller TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE events DROP COLUMN controller;
