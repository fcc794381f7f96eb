-- The spend the import will store, as import_spend_shares spreads it.
create or replace temp table import_spend_source as
select channel, month, spend
from import_changes
