-- Spend as marketers have it: per channel and month (YYYY-MM), in the store's currency
-- (converted at import; `currency` is the one the file gave, null for the store's own). The
-- import spreads each month's spend over the channel's campaigns running that month, by
-- their days in it, into campaigns.actual_cost.
create table campaign_spend (
    channel varchar not null,
    month varchar not null,
    spend decimal(18, 2) not null check (spend >= 0),
    currency varchar
);
