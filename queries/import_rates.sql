-- The rates the store converts costs at: one of each currency in the store's currency.
create or replace temp table import_rates as
select unnest($codes) as currency, unnest($rates)::double as rate
