-- Rebuild the funnel_months summary from its definition.
delete from funnel_months;
insert into funnel_months
select * from funnel_months_live
order by counts_from;
