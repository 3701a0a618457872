SELECT E'a\'b;', e'x\\', 'it''s', E'\\';
SELECT 'a\'; SELECT 2;
