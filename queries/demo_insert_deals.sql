-- A deal's current state is its last row in deal_history, so the two always agree.
with latest as (
    select
        deal_id,
        amount,
        status,
        forecast_category,
        close_date
    from deal_history
    qualify row_number() over (partition by deal_id order by changed_at desc) = 1
)

insert into deals
select
    'D' || lpad(attributes.deal_no::varchar, 7, '0') as deal_id,
    case when attributes.lead_no > 0
        then 'L' || lpad(attributes.lead_no::varchar, 8, '0') end as lead_id,
    attributes.account,
    attributes.owner_id,
    attributes.region,
    attributes.segment,
    latest.amount,
    latest.status,
    latest.forecast_category,
    attributes.created_at,
    latest.close_date
from demo_deals as attributes
join latest on latest.deal_id = 'D' || lpad(attributes.deal_no::varchar, 7, '0')
order by attributes.deal_no
