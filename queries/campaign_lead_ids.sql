-- The leads of a campaign (whose channel is theirs in the rep strengths' months).
select distinct lead_id
from leads
where campaign_id = $campaign_id
