-- Every state each deal has been in and when it held: what the forecast needs to see the
-- pipeline as it was at any past moment.
create view deal_timeline as
with recorded as (
    select
        deal_id,
        changed_at,
        amount,
        status,
        forecast_category,
        close_date,
        0 as source
    from deal_history
),

last_recorded as (
    select
        deal_id,
        max(changed_at) as last_changed_at
    from deal_history
    group by deal_id
),

-- The deal as it is now is its latest state, whatever the history says: from its last
-- recorded change, or from its close date when it closed after that.
current_state as (
    select
        deals.deal_id,
        greatest(
            deals.created_at,
            last_recorded.last_changed_at,
            case when deals.status <> 'open' then deals.close_date::timestamp end
        ) as changed_at,
        deals.amount,
        deals.status,
        deals.forecast_category,
        deals.close_date,
        2 as source
    from deals
    left join last_recorded using (deal_id)
),

-- A closed deal with no recorded history (e.g. loaded from a CRM export that has none) is
-- taken to have been open pipeline from its creation until it closed.
assumed_open as (
    select
        deal_id,
        created_at as changed_at,
        amount,
        'open' as status,
        'pipeline' as forecast_category,
        close_date,
        1 as source
    from deals
    where status <> 'open'
        and deal_id not in (select deal_id from deal_history)
),

changes as (
    select * from recorded
    union all
    select * from assumed_open
    union all
    select * from current_state
)

select
    deal_id,
    changed_at as valid_from,
    -- Null: still the deal's state. Of changes at the same moment, the one ordered last
    -- holds (the deal's current row, then a close over an open state); the others hold for
    -- no time at all.
    lead(changed_at) over (
        partition by deal_id
        order by changed_at, source, status <> 'open', forecast_category, amount
    ) as valid_until,
    amount,
    status,
    forecast_category,
    close_date,
    source = 1 as assumed
from changes;

-- A deal is in a quarter's open pipeline when it is open, not omitted and due in the quarter.
create macro in_open_pipeline(status, forecast_category, close_date, starts_on, ends_before) as
    status = 'open'
    and forecast_category <> 'omitted'
    and close_date >= starts_on
    and close_date < ends_before;
