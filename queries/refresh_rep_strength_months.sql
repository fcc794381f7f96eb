-- Rebuild the rep_strength_months summary from its definition: a join and group-by of every
-- MQL, 1.4-2 s at 10M leads on a 2-core machine. In MQL month order, which the pages' month
-- ranges prune by.
delete from rep_strength_months;
insert into rep_strength_months
select * from rep_strength_months_live
order by mql_month
