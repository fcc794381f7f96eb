insert or replace into replica_position values (1, $store_id, $seq)
