-- A write's change: its number, which the rows it writes carry as _seq (postgres/use_seq).
insert into change_log (tables) values (%(tables)s) returning seq
