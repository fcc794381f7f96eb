insert or replace into settings (key, value)
values ($key, $value)
