-- A people file's own people (it may name managers who are in the same file): {columns},
-- those of person_id, email, name, region and segment the file has; the others stay null.
insert into import_people_in_file by name
select {columns}
from import_typed
