SELECT /* a /* nested; */ still; */ 1;
/* lead */ SELECT 2 /*/ x */;
