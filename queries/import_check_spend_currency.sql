-- Spend in a currency the store has no rate for (import_rates): $reason says what to do.
insert into import_problems
select line, $column_name, raw_currency, 'costs in ' || upper(raw_currency) || $reason
from import_typed
where raw_currency is not null
    and upper(raw_currency) not in (select currency from import_rates)
