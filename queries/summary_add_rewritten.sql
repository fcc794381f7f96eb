-- The rewritten rows of {summary} (summary_apply_change; its counts are its last columns, in
-- order), and the change done with.
insert into {summary}
select * from summary_rewritten;

drop table {change};
drop table summary_rewritten;
