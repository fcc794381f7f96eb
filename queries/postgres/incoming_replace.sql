-- The stored rows with the keys of the incoming ones give way to them ({key}: the table's
-- key columns, one or several).
delete from {table} where ({key}) in (select {key} from relay_incoming);

insert into {table} ({columns}) select {columns} from relay_incoming;

drop table relay_incoming
