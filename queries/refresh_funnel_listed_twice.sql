-- Rebuild the funnel_listed_twice summary from its definition.
delete from funnel_listed_twice;
insert into funnel_listed_twice
select * from funnel_listed_twice_live;
