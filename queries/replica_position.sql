select store_id, seq from replica_position
