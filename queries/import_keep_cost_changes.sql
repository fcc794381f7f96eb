insert into import_row_changes
select $id, 'campaigns', campaign_id, 'updated', columns
from import_cost_changes
order by campaign_id
