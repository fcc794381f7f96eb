-- Before an import changes a deal that has no recorded history, keep the states the
-- timeline gave it, so that the forecast still sees its past as it was.
insert into deal_history
select
    deal_id,
    valid_from as changed_at,
    amount,
    status,
    forecast_category,
    close_date
from deal_timeline_of((
    select coalesce(list(deal_id), [])
    from import_changes
    where change = 'updated'
        and deal_id not in (select deal_id from deal_history)
))
