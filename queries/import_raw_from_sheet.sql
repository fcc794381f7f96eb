-- An Excel sheet's rows (registered from pandas as import_sheet), as a CSV file's are read.
create or replace temp table import_raw as
select * from import_sheet
