-- Queries whose output pgdeck must print byte for byte as psql -X does.
-- tests/e2e/psql_compare.sh runs each block with pgdeck -c and psql -c in
-- several output modes and compares stdout, stderr and the exit status.
--
-- Format: blocks separated by blank lines. A block's first line may be
-- "-- name: NAME" (used in the TAP line); the rest of the block, joined
-- with newlines, is the -c string. Everything must be repeatable (the
-- block runs once per mode and per program): use temporary tables only.

-- name: basic-null
SELECT 1 AS a, 'x' AS b, NULL AS c

-- name: numbers
SELECT * FROM (VALUES (1::int2, 100000::int8, 1.5::numeric, 2.25::float8,
  -3::int4, 7::oid, '$1.00'::money, 1.5::float4),
  (NULL, 2, 123.456, NULL, 42, NULL, NULL, -0.25)) v(small, big, num, flt,
  i, o, m, f4)

-- name: numeric-specials
SELECT 'NaN'::numeric AS nan, 'Infinity'::float8 AS inf,
  '-Infinity'::float8 AS ninf, 1e100::float8 AS big, 0.000001::numeric AS tiny

-- name: xid-cid-types
SELECT '42'::xid AS x, '7'::cid AS c, '123'::xid8 AS x8, true AS b

-- name: bool-and-dates
SELECT true AS yes, false AS no, DATE '2024-02-29' AS d,
  TIMESTAMP '2024-01-02 03:04:05.678' AS ts, INTERVAL '1 day 2 hours' AS iv

-- name: multi-line-values
SELECT E'a\nbb\nc' AS x, 1 AS n, 'z' AS z, E'one\ntwo' AS last

-- name: multi-line-header
SELECT 1 AS U&"multi\000Aline", E'x\ny' AS "plain", 'v' AS U&"a\000Ab\000Ac"

-- name: trailing-newline-value
SELECT E'ends with newline\n' AS a, E'\n' AS only_nl, '' AS empty

-- name: wide-cjk
SELECT '日本語' AS jp, 'abc' AS "名前", '中文字符串测试' AS zh, '한국어' AS ko

-- name: emoji
SELECT E'\U0001F600' AS smile, E'\U0001F468\u200D\U0001F469' AS zwj,
  E'\u2764\uFE0F' AS heart, 'x' AS x

-- name: combining
SELECT E'e\u0301' AS e_acute, E'a\u0300\u0301\u0302' AS stacked,
  E'\u0915\u093F' AS devanagari, E'\u05E9\u05C1' AS hebrew

-- name: fullwidth-and-ambiguous
SELECT E'\uFF21\uFF22\uFF23' AS full, E'\u00B1\u00D7' AS ambiguous,
  E'\u200B' AS zwsp, E'\u00AD' AS shy

-- name: control-chars
SELECT E'tab\there' AS t, E'cr\rx' AS r, E'bell\x07' AS b,
  E'\u0085nel' AS u, E'\x7f' AS del, E'\t\tlead' AS tabs

-- name: wide-multiline-mix
SELECT E'日本\n語' AS a, E'x\n\U0001F600\nyy' AS b, 1 AS c

-- name: empty-result
SELECT 1 AS a, 'b' AS b WHERE false

-- name: no-columns
SELECT

-- name: no-columns-many-rows
SELECT FROM generate_series(1, 3)

-- name: header-wider
SELECT 1 AS very_long_column_name, 'a' AS another_long_header

-- name: data-wider
SELECT 'a much longer value than its header' AS s, 12345678901234 AS n

-- name: many-rows
SELECT g AS n, repeat('x', g % 7) AS s, g * 1.5 AS f
FROM generate_series(1, 25) g

-- name: empty-strings
SELECT '' AS a, ' ' AS b, '  two' AS c, 'trail  ' AS d

-- name: csv-quoting
SELECT 'a,b' AS "x,y", 'say "hi"' AS q, E'l1\nl2' AS nl, '' AS e,
  NULL AS n, '\.' AS eod, ' lead' AS sp, E'cr\rx' AS cr, 'a|b' AS pipe

-- name: json-values
SELECT '{"a": [1, 2, {"b": null}]}'::jsonb AS j, '[1,"two"]'::json AS k

-- name: arrays-and-records
SELECT ARRAY[1, 2, 3] AS arr, ROW(1, 'a') AS rec, '{}'::int[] AS empty_arr

-- name: create-temp
CREATE TEMP TABLE pd_cmp (a int, b text)

-- name: insert-tags
CREATE TEMP TABLE pd_cmp (a int, b text); INSERT INTO pd_cmp VALUES (1, 'x'), (2, 'y')

-- name: insert-returning
CREATE TEMP TABLE pd_cmp (a int, b text); INSERT INTO pd_cmp VALUES (1, 'x') RETURNING a, b

-- name: update-delete
CREATE TEMP TABLE pd_cmp (a int); INSERT INTO pd_cmp SELECT generate_series(1, 5); UPDATE pd_cmp SET a = a + 1 WHERE a > 2; DELETE FROM pd_cmp WHERE a = 1 RETURNING *

-- name: several-selects
SELECT 1 AS one; SELECT 'two' AS two, 2 AS n

-- name: transaction
BEGIN; SELECT 1 AS inside; COMMIT

-- name: set-and-show
SET extra_float_digits = 0; SHOW extra_float_digits

-- name: notice
DO $$ BEGIN RAISE NOTICE 'hello from plpgsql'; END $$

-- name: drop-if-exists-notice
DROP TABLE IF EXISTS pd_cmp_no_such_table

-- name: error-syntax
selec 1

-- name: error-caret
SELECT nosuchcolumn FROM pg_class

-- name: error-division
SELECT 1/0

-- name: error-hint
SELECT pd_no_such_function(1)

-- name: error-detail
CREATE TEMP TABLE pd_cmp (a int PRIMARY KEY); INSERT INTO pd_cmp VALUES (1); INSERT INTO pd_cmp VALUES (1)

-- name: error-after-rows
SELECT 1 AS ok; SELECT 1/0

-- name: error-multiline-query
SELECT 1,
  2,
  nosuch

-- name: error-raise-context
DO $$ BEGIN RAISE EXCEPTION 'custom failure' USING DETAIL = 'some detail', HINT = 'some hint'; END $$

-- name: unicode-column-names
SELECT 1 AS "ÄÖÜ", 2 AS "日本", 3 AS "e\u0301"

-- name: warning-no-transaction
COMMIT

-- name: explain
EXPLAIN (COSTS OFF) SELECT * FROM pg_class WHERE relname = 'x'

-- name: void-result
SELECT pg_sleep(0)

-- name: values-tag
VALUES (1, 'one'), (2, 'two')

-- name: empty-statements
SELECT 1 AS a;;;

-- name: trailing-comment
SELECT 1 AS x; -- a comment after the last statement

-- name: copy-to-stdout
COPY (SELECT 1 AS a, E'tab\there' AS b, NULL AS c) TO STDOUT

-- name: wrap-wide-mixed
SELECT g AS n, repeat('word ', g * 3) AS text, g * 1234567.891 AS amount, CASE WHEN g % 2 = 0 THEN NULL ELSE E'first line\nsecond, much longer line of text' END AS notes FROM generate_series(1, 4) g

-- name: wrap-cjk-and-marks
SELECT '日本語のテキストはとても長いので折り返されます日本語のテキスト' AS cjk, E'tab\there and e\u0301 combining, a fairly long line' AS mixed

-- name: wrap-multiline-header
SELECT 'a value that is long enough to need wrapping at forty columns' AS "two
line header", 42 AS "x"

-- name: wrap-empty-result
SELECT 'x' AS wide_column_name_here, 1 AS another_wide_column_name WHERE false
