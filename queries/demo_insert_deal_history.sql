insert into deal_history
select
    'D' || lpad(deal_no::varchar, 7, '0') as deal_id,
    changed_at,
    amount,
    status,
    forecast_category,
    close_date::date as close_date
from demo_deal_history
order by deal_no, changed_at
