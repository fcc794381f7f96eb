-- What the store holds that a figure may need (relay.holdings): counts, read once per view,
-- from the summary kept with the tables counted (migration 0020).
select * from store_holdings
