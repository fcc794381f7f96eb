-- The campaigns of a quarter and the leads they count there: the one definition that the
-- campaign page's figures (campaign_performance) and the records behind them (drill_*) both
-- read, so that the rows always add up to the figure.
--
-- quarter_campaigns(starts_on, ends_before, produced_before, region, segment): every
-- campaign scheduled on a day of the quarter [starts_on, ends_before) and aimed at the
-- breakdown (a campaign for all regions or segments is aimed at each), with its cost in the
-- quarter. A recorded cost is what the campaign has spent by the end of the as-of day
-- (produced_before is the day after it): spread evenly over its days up to then (all of them
-- once it has ended, its first day if it has not started), the quarter takes those days in it,
-- so the quarters add up to the cost. Null: no cost recorded; 0: free.
create or replace macro quarter_campaigns(starts_on, ends_before, produced_before,
                                          region_filter, segment_filter) as table
    with running as (
        select
            *,
            greatest(start_date, least(end_date, produced_before - 1)) as spent_until
        from campaigns
        where start_date < ends_before
            and end_date >= starts_on
            and (region_filter is null or region = region_filter or region is null)
            and (segment_filter is null or segment = segment_filter or segment is null)
    )

    select
        * exclude (spent_until),
        actual_cost::double
        * greatest(date_diff('day', greatest(start_date, starts_on),
                             least(spent_until, ends_before - 1)) + 1, 0)
        / (date_diff('day', start_date, spent_until) + 1) as cost_in_quarter
    from running;

-- quarter_campaign_leads(...): the leads (of the breakdown) that those campaigns count in
-- the quarter, arrived by the as-of day. A lead counts in the quarter it arrived in, held to
-- its campaign's days: one that came after the campaign ended (a replay, a late form) counts
-- in the campaign's last quarter, one before it started in its first, so the quarters add up
-- to every lead of the campaign.
create or replace macro quarter_campaign_leads(starts_on, ends_before, produced_before,
                                               region_filter, segment_filter) as table
    select
        leads.*,
        quarter.name as campaign
    from scoped_leads(region_filter, segment_filter) as leads
    join quarter_campaigns(starts_on, ends_before, produced_before, region_filter,
                           segment_filter) as quarter
        on quarter.campaign_id = leads.campaign_id
    where greatest(quarter.start_date, least(quarter.end_date, leads.created_at::date))
        >= starts_on
        and greatest(quarter.start_date, least(quarter.end_date, leads.created_at::date))
        < ends_before
        and leads.created_at < produced_before;
