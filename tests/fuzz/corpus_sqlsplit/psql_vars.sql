\set v 1
SELECT :v, :'v', :"v", 'x:v', $$:v$$, a::int;
