-- Every state each deal has been in, with the moment it stopped holding: what the forecast
-- needs to see the pipeline as it was on any past day. A deal with no recorded history
-- (e.g. loaded from a CRM export that has none) holds its current state since it was created.
create view deal_timeline as
with changes as (
    select
        deal_id,
        changed_at,
        amount,
        status,
        forecast_category,
        close_date
    from deal_history

    union all

    select
        deal_id,
        created_at as changed_at,
        amount,
        status,
        forecast_category,
        close_date
    from deals
    where deal_id not in (select deal_id from deal_history)
)

select
    deal_id,
    changed_at as valid_from,
    -- null: still the deal's state now
    lead(changed_at) over (partition by deal_id order by changed_at) as valid_until,
    amount,
    status,
    forecast_category,
    close_date
from changes;
