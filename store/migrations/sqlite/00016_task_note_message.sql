-- +goose Up
-- Beside a task's note in English, the same note as a catalogue message
-- (JSON: a key under answer.system. and its fills), so that the person's
-- answer can say it in their language. Empty for notes written before.
ALTER TABLE dsr_tasks ADD COLUMN note_message TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE dsr_tasks DROP COLUMN note_message;
