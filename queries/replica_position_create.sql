-- A replica's copy: which shared store it copies and the last change it holds (one row).
create table if not exists replica_position (
    id integer primary key,
    store_id varchar not null,
    seq bigint not null
)
