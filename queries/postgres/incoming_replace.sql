-- The stored rows with the keys of the incoming ones give way to them.
delete from {table} as stored using relay_incoming as incoming
where stored.{key} = incoming.{key};

insert into {table} ({columns}) select {columns} from relay_incoming;

drop table relay_incoming
