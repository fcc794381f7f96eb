"""relay.sql: identifiers only from the allow-list, cursors closed, and the scoped_leads macro
every cursor of a store sees."""

import duckdb
import pytest

from relay import sql, store


def test_an_allowed_identifier_is_put_in_quoted():
    assert sql.with_identifiers("count_rows", table="leads") == (
        '-- The rows of one table of the store, or of an import\'s temporary tables.\n'
        'select count(*) from "leads"\n')


@pytest.mark.parametrize("identifier", ["users", "leads; drop table leads", 'leads"'])
def test_an_identifier_outside_the_allow_list_is_refused(identifier):
    with pytest.raises(ValueError, match="not an identifier a query may name"):
        sql.with_identifiers("count_rows", table=identifier)


def test_names_bound_as_a_list_pass_the_same_allow_list():
    assert sql.names(["c2", "c10", "mql_at"]) == ["c2", "c10", "mql_at"]
    with pytest.raises(ValueError, match="'c2x', 'users'"):
        sql.names(["c2", "c2x", "users"])


def test_a_name_from_the_catalog_is_quoted_whatever_it_holds():
    text = sql.with_identifiers("count_rows", table=sql.CatalogName('odd "name"'))
    assert text.endswith('select count(*) from "odd ""name"""\n')


def test_a_placeholder_left_without_its_identifier_is_an_error():
    with pytest.raises(LookupError, match="needs the identifier {table}"):
        sql.with_identifiers("count_rows")


def test_the_cursor_is_closed_on_the_way_out_also_after_an_error():
    connection = duckdb.connect()
    with pytest.raises(ZeroDivisionError), sql.cursor(connection) as cursor:
        assert sql.scalar(cursor, "current_database") == "memory"
        1 / 0  # noqa: B018
    with pytest.raises(duckdb.ConnectionException):
        cursor.execute("select 1")
    connection.close()


def test_scoped_leads_is_seen_by_every_cursor_of_a_read_only_store(tmp_path):
    path = tmp_path / "store.duckdb"
    connection = store.create(path)
    connection.execute(
        "insert into leads (lead_id, region, segment, created_at, stage) values "
        "('L1', 'EMEA', 'SMB', '2026-01-05', 'inquiry'), "
        "('L2', 'EMEA', 'Enterprise', '2026-01-06', 'inquiry'), "
        "('L3', 'APAC', 'SMB', '2026-01-07', 'inquiry')")
    connection.close()
    reader = store.open_store(path, read_only=True)
    try:
        with sql.cursor(reader) as cursor:
            def scoped(region, segment):
                return sorted(lead for (lead,) in cursor.execute(
                    "select lead_id from scoped_leads($region, $segment)",
                    {"region": region, "segment": segment}).fetchall())

            assert scoped(None, None) == ["L1", "L2", "L3"]
            assert scoped("EMEA", None) == ["L1", "L2"]
            assert scoped(None, "SMB") == ["L1", "L3"]
            assert scoped("EMEA", "SMB") == ["L1"]
    finally:
        reader.close()
