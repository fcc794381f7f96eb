-- Rebuild the mql_owners summary from its definition.
delete from mql_owners;
insert into mql_owners
select * from mql_owners_live
