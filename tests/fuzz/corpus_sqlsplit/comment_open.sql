SELECT 1 /* open /* twice */ ;
