-- The currencies other than the store's ($store) the spend file gives, with their rates.
select distinct import_rates.currency, rate
from import_changes
inner join import_rates on import_rates.currency = upper(import_changes.currency)
where upper(import_changes.currency) <> $store
order by 1
