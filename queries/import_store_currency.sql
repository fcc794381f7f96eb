create or replace temp table import_store_currency as
select $currency as currency
