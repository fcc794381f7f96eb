-- Every table, view and macro of the store into the attached backup file.
copy from database {database} to {backup}
