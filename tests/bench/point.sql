\set id random(1, 100000)
SELECT * FROM markets WHERE id = :id;
