-- Expired pseudonyms are purged before the table's cap (limits.max_pseudonyms) refuses new
-- ones; the index keeps that purge from scanning every row.
CREATE INDEX pseudonyms_valid_until ON pseudonyms (valid_until);
