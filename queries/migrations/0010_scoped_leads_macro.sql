-- scoped_leads(region, segment): the leads of one region and segment (null: all of them),
-- the step the funnel (funnel_by_quarter, mql_outcomes, lead_data_quality), the campaign
-- performance and the demand planner (plan_funnel_cohorts) all start from. A table macro in
-- the store, not a temporary one: every cursor of a connection, read-only ones included,
-- sees it, and a backup (copy from database) carries it.
create or replace macro scoped_leads(region_filter, segment_filter) as table
    select *
    from leads
    where (region_filter is null or region = region_filter)
        and (segment_filter is null or segment = segment_filter);
