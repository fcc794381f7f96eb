-- Every column of every row of one table, so that DuckDB checks each data block's checksum.
select count(*), sum(hash(t)) from {database}.{schema}.{table} as t
