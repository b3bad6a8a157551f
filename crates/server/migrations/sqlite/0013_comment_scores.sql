-- The monthly report quotes comments across the range of what customers
-- said (issue 19): each comment keeps its response's answer (1–5) to the
-- overall-satisfaction question. NULL: not answered, or stored before this
-- column (those comments are quoted only when too few have a score).
ALTER TABLE comments ADD COLUMN satisfaction INTEGER;
