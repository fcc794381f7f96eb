-- Count again what the store holds (the store_holdings summary, one row).
delete from store_holdings;
insert into store_holdings
select * from store_holdings_live
