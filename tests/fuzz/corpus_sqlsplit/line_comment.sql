-- hello; world
SELECT 1 -- trailing; \x
;
--
