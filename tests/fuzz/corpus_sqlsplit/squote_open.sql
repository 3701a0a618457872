SELECT 'open string;
 more ''; \x
