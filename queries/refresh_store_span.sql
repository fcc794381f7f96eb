-- Rebuild the store_span summary from its definition.
delete from store_span;
insert into store_span
select * from store_span_live
