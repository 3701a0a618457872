CREATE FUNCTION f() RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT 1;
  SELECT CASE WHEN true THEN 1 END;
END;
create or replace procedure p() begin atomic select 1; end; call p();
BEGIN; SELECT 1; END;
