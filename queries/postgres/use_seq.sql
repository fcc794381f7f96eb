-- The change the rows written next in this transaction belong to (the _seq columns' default).
select set_config('relay.seq', %(seq)s, true)
