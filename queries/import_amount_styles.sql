-- Per amount column of import_raw ({columns}): how its non-empty values write their figures,
-- to decide the column's convention (relay.shapes.amount_conventions). body: the value
-- without its currency and spaces ($body_remove); $dot and $comma: the two ways to write one.
-- A column with no value has no row.
with bodies as (
    select
        name,
        v,
        regexp_replace(v, $body_remove, '', 'g') as body,
        regexp_replace(v, $not_currency, '', 'g') as currency
    from (
        select name, nullif(trim(raw), '') as v
        from (unpivot (select {columns} from import_raw) on columns(*) into name name value raw)
    )
    where v is not null
),
styles as (
    select
        name,
        v,
        body,
        currency,
        regexp_full_match(body, $dot) as dot,
        regexp_full_match(body, $comma) as comma
    from bodies
)
select
    name,
    count_if(dot and not comma) as dot_only,
    count_if(comma and not dot) as comma_only,
    count_if(dot and comma and regexp_matches(body, '[.,]')) as both_ways,
    count_if(contains(body, ',')) as separated,
    list(distinct currency) filter (where (dot or comma) and currency <> '') as currencies,
    min(v) filter (where dot and comma and regexp_matches(body, '[.,]')) as example
from styles
group by name
