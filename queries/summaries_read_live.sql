-- A summary table replaced by its live view: the pages then compute from the source tables.
drop table {summary};
create view {summary} as select * from {live}
