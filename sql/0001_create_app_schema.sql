-- Every table of the product lives in schema app; nothing is created in public.
create schema app;
