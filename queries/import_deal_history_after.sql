-- A deal whose amount, status, category or close date the import changes enters that new
-- state at the moment of the import.
insert into deal_history
select
    changes.deal_id,
    $at as changed_at,
    changes.amount,
    changes.status,
    changes.forecast_category,
    changes.close_date
from import_changes as changes
inner join deals as stored using (deal_id)
where changes.change = 'updated'
    and (
        changes.amount is distinct from stored.amount
        or changes.status is distinct from stored.status
        or changes.forecast_category is distinct from stored.forecast_category
        or changes.close_date is distinct from stored.close_date
    )
