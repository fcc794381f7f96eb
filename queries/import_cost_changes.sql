-- Each campaign whose actual cost the spread spend changes, with the change as the import
-- history keeps it.
create or replace temp table import_cost_changes as
select
    campaign_id,
    to_json([{
        'column': 'actual_cost',
        'before': campaigns.actual_cost::varchar,
        'after': costs.cost::varchar
    }])::varchar as columns,
    costs.cost
from (
    select campaign_id, sum(share) as cost
    from import_spend_shares
    group by campaign_id
) as costs
inner join campaigns using (campaign_id)
where campaigns.actual_cost is distinct from costs.cost
