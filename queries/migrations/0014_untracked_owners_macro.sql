-- untracked_owners(starts_on, ends_before): the reps (owner_id; null for unassigned leads)
-- who do not have touches recorded for the MQLs of the period [starts_on, ends_before): some
-- of their MQLs moved on to SAL or further (which takes a touch) with not one first touch
-- recorded among all of them. Worked out over every lead of the period whatever region or
-- segment a page is filtered to, so that a rep is tracked or untracked alike on every page;
-- speed_to_lead and open_breaches both leave their MQLs out of speed, SLA and breaches. A
-- table macro in the store, like scoped_leads: every cursor sees it, a backup carries it.
create or replace macro untracked_owners(starts_on, ends_before) as table
    select owner_id, true as untracked
    from leads
    where mql_at >= starts_on
        and mql_at < ends_before
    group by owner_id
    having count(first_touch_at) = 0
        and count(*) filter (where stage in ('sal', 'sql', 'opportunity')) > 0;
