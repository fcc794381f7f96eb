-- The spend of the file being checked, as import_spend_shares spreads it.
create or replace temp table import_spend_source as
select channel, month, spend
from import_typed
where channel is not null and month is not null
