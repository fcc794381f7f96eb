-- Per kind of row skipped (import_skipped): how many, their first five lines and up to
-- three of their labels.
select kind, count(*), list(line order by line)[1:5], list(distinct label)[1:3]
from import_skipped
group by kind
