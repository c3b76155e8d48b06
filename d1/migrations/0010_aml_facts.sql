-- The figures behind an AML alert's reason (JSON: count, total, window_s, ...), so the console
-- says it in the reader's language instead of showing the engine's English sentence.
ALTER TABLE aml_alerts ADD COLUMN facts TEXT;
