-- The campaigns of a date range and the leads they are expected to bring in it: the one
-- definition that the campaign calendar's figures (calendar_campaigns,
-- campaign_expected_leads_by_week) and the records behind them (drill_calendar_*) both read,
-- so that the rows always add up to the figure.
--
-- range_campaigns(starts_on, ends_on, region, segment, channels, statuses, owners): every
-- campaign that runs on a day of [starts_on, ends_on] (both included) and is aimed at the
-- breakdown (a campaign for all regions or segments runs in every one of them); an empty
-- list of channels, statuses or owners (person_ids) means all of them.
create or replace macro range_campaigns(starts_on, ends_on, region_filter, segment_filter,
                                        channel_list, status_list, owner_list) as table
    select *
    from campaigns
    where start_date <= ends_on
        and end_date >= starts_on
        and (region_filter is null or region = region_filter or region is null)
        and (segment_filter is null or segment = segment_filter or segment is null)
        and (len(channel_list::varchar[]) = 0
             or list_contains(channel_list::varchar[], channel))
        and (len(status_list::varchar[]) = 0 or list_contains(status_list::varchar[], status))
        and (len(owner_list::varchar[]) = 0
             or list_contains(owner_list::varchar[], owner_id));

-- expected_lead_days(starts_on, ends_on): each day of [starts_on, ends_on] that a campaign
-- (not cancelled, with leads expected) runs on, and the leads it is expected to bring that
-- day: its expected_leads spread evenly over all its days. A campaign's days in a range add
-- up to its expected leads in the range; the calendar sums them by week.
create or replace macro expected_lead_days(starts_on, ends_on) as table
    with spread as (
        select
            campaign_id,
            start_date,
            end_date,
            expected_leads / (date_diff('day', start_date, end_date) + 1) as leads_per_day
        from campaigns
        where status <> 'cancelled'
            and expected_leads is not null
            and start_date <= ends_on
            and end_date >= starts_on
    )

    select
        campaign_id,
        leads_per_day,
        unnest(generate_series(
            greatest(start_date, starts_on::date),
            least(end_date, ends_on::date),
            interval 1 day
        )) as day
    from spread;
