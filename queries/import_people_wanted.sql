-- Each person the file names ({column}: its raw text of the person column).
create or replace temp table import_people_wanted as
select distinct {column} as value
from import_typed
where {column} is not null
