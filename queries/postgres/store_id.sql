-- Which store this is (set once, when it was first filled).
select value from settings where key = 'store_id'
