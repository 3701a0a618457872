\! echo a\b
\copy t from 'f' with (delimiter '\t')
\h SELECT
\sf+ f
