-- Before an accepted import of campaigns writes: the leads of the campaigns whose channel it
-- changes (what those leads count in the rep strengths' months moves with the channel; a new
-- campaign is no lead's yet).
select distinct leads.lead_id
from import_changes
join campaigns as stored on stored.campaign_id = import_changes.campaign_id
join leads on leads.campaign_id = import_changes.campaign_id
where import_changes.change = 'updated'
    and stored.channel is distinct from import_changes.channel
