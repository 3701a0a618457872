SELECT 1 AS a \gset
SELECT 2
\g out.txt
SELECT 3 \g |cat \x
