-- The stored spend of every channel the import names (after it is written), as
-- import_spend_shares spreads it.
create or replace temp table import_spend_source as
select channel, month, spend
from campaign_spend
where lower(trim(channel)) in (select lower(trim(channel)) from import_changes)
