\x
\pset null '(null)'
\set a 'x\\y z' \echo :a
\x on \\ SELECT 1;
