-- Spend of a channel and month no campaign of the channel runs in (import_spend_shares):
-- it has nowhere to go.
insert into import_problems
select line, $column_name, raw_channel, 'no campaign of this channel runs in ' || month || $reason
from import_typed
where channel is not null
    and month is not null
    and not exists (
        select 1
        from import_spend_shares as shares
        where shares.channel = import_typed.channel and shares.month = import_typed.month
    )
