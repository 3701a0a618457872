SELECT 'café', "日本", λ;
-- 🐘 ;
