-- A replica catching up reads the change log and the rows of its changes in one snapshot.
set transaction isolation level repeatable read, read only
