DO $body$
BEGIN
  RAISE NOTICE $$x;$$;
END
$body$;
SELECT $1, a$b$, $q$ $$ $Q$ $q$;
