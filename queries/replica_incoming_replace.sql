-- The rows with the incoming rows' keys give way to them ({key}: the table's key columns).
delete from {table} where ({key}) in (select {key} from replica_incoming);

insert into {table} ({columns}) select {columns} from replica_incoming;

drop table replica_incoming
