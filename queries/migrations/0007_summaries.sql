-- Summaries: what the pages would otherwise derive from the big tables on every view, kept
-- in the store. Each has a live view (the definition) and a table holding its result,
-- rebuilt by relay.summaries in the same transaction as every write to its sources.

-- Every state of every deal (deal_timeline) with what the forecast groups and judges it by:
-- the deal's owner, region and segment, and its win as recorded now. Ordered by close date,
-- so that a quarter's states sit together and the rest are skipped unread.
create view deal_states_live as
select
    deal_timeline.deal_id,
    deal_timeline.valid_from,
    coalesce(deal_timeline.valid_until, 'infinity'::timestamp) as valid_until,
    deal_timeline.amount,
    deal_timeline.status,
    deal_timeline.forecast_category,
    deal_timeline.close_date,
    deal_timeline.assumed,
    deals.owner_id,
    deals.region,
    deals.segment,
    case when deals.status = 'won' then deals.close_date end as won_on,
    case when deals.status = 'won' then deals.amount end as won_amount
from deal_timeline
join deals using (deal_id);

create table deal_states as
select * from deal_states_live
order by close_date, deal_id, valid_from;
