-- funnel_months with the counts of funnel_months_change added: only the rows of the keys
-- whose count changed are rewritten (every key column may be null: matched null-safe), and
-- a key whose count comes to nothing is dropped, as a rebuild would not have it.
create or replace temp table funnel_months_changed_keys as
select stage, reached_month, counts_from, counts_until, next_month, sql_month,
    opportunity_month, won_month, source, region, segment, sum(events) as events
from funnel_months_change
group by all
having sum(events) <> 0;

create or replace temp table funnel_months_rewritten as
select stage, reached_month, counts_from, counts_until, next_month, sql_month,
    opportunity_month, won_month, source, region, segment, sum(events)::integer as events
from (
    select stored.*
    from funnel_months as stored
    semi join funnel_months_changed_keys as changed
        on changed.stage is not distinct from stored.stage
        and changed.reached_month is not distinct from stored.reached_month
        and changed.counts_from is not distinct from stored.counts_from
        and changed.counts_until is not distinct from stored.counts_until
        and changed.next_month is not distinct from stored.next_month
        and changed.sql_month is not distinct from stored.sql_month
        and changed.opportunity_month is not distinct from stored.opportunity_month
        and changed.won_month is not distinct from stored.won_month
        and changed.source is not distinct from stored.source
        and changed.region is not distinct from stored.region
        and changed.segment is not distinct from stored.segment
    union all
    select * from funnel_months_changed_keys
)
group by all
having sum(events) <> 0;

delete from funnel_months as stored
using funnel_months_changed_keys as changed
where changed.stage is not distinct from stored.stage
    and changed.reached_month is not distinct from stored.reached_month
    and changed.counts_from is not distinct from stored.counts_from
    and changed.counts_until is not distinct from stored.counts_until
    and changed.next_month is not distinct from stored.next_month
    and changed.sql_month is not distinct from stored.sql_month
    and changed.opportunity_month is not distinct from stored.opportunity_month
    and changed.won_month is not distinct from stored.won_month
    and changed.source is not distinct from stored.source
    and changed.region is not distinct from stored.region
    and changed.segment is not distinct from stored.segment;

insert into funnel_months
select * from funnel_months_rewritten
order by counts_from;

drop table funnel_months_change;
drop table funnel_months_changed_keys;
drop table funnel_months_rewritten;
