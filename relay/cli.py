"""python -m relay: build stores and print what the pages show.

Exit codes: 0 success, 1 the store or data could not be used, 2 usage errors (bad flags,
a quarter or region that does not exist).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from relay import (
    attribution,
    campaigns,
    clock,
    demo,
    digest,
    drill,
    exporting,
    filters,
    handoff,
    ics,
    identity,
    importing,
    layouts,
    planning,
    private,
    replica,
    report,
    restoring,
    settings,
    sql,
    store,
)
from relay.fiscal import Quarter, QuarterError
from relay.views import (
    calendar,
    campaign_performance,
    forecast,
    funnel,
    goals,
    overview,
    plan,
    sla,
    strengths,
    week,
)

VIEWS = {"overview": overview.build, "goals": goals.build, "funnel": funnel.build,
         "sla": sla.build, "campaigns": campaign_performance.build,
         "forecast": forecast.build, "strengths": strengths.build, "week": week.build}


class UsageError(Exception):
    """Bad input on the command line: exit code 2."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (KeyboardInterrupt, RuntimeError) as error:  # Ctrl+C: one line on what became of it
        if not _interrupted(error):
            raise
        message = str(error) if isinstance(error, KeyboardInterrupt) and str(error) else \
            "interrupted"
        print(f"relay {args.command}: {message}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (e.g. `head`) stopped early: not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python's exit flush quiet
        return 0
    except UsageError as error:
        print(f"relay {args.command}: {error}", file=sys.stderr)
        return 2
    except (store.StoreError, ValueError) as error:
        print(f"relay {args.command}: {error}", file=sys.stderr)
        return 1
    except duckdb.Error as error:  # the store file failed: corrupt, a full disk, an I/O error
        path = _path(args) if hasattr(args, "db") else "the store"
        described = store.describe(path, error)
        print(f"relay {args.command}: {described or error}", file=sys.stderr)
        return 1
    except OSError as error:  # e.g. a full disk while writing a file that is not the store
        print(f"relay {args.command}: {error.strerror or error}"
              + (f": {error.filename}" if error.filename else ""), file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m relay", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def with_db(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
        command.add_argument("--db", type=Path, default=None,
                             help="the store (default: $RELAY_DB or data/relay.duckdb)")
        return command

    build_demo = with_db(commands.add_parser("demo", help="build the demo store"))
    build_demo.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
    build_demo.add_argument("--as-of", type=_date, default=None,
                            help="the demo's today, YYYY-MM-DD (default: today)")
    build_demo.add_argument("--leads", type=leads_count, default=demo.DEFAULT_LEADS,
                            help="number of leads; everything else scales with it")
    build_demo.add_argument("--if-missing", action="store_true",
                            help="do nothing (exit 0) when the store already exists")
    build_demo.set_defaults(run=_demo)

    init = with_db(commands.add_parser("init", help="create an empty store"))
    init.set_defaults(run=_init)

    setting = with_db(commands.add_parser("setting", help="show or change a setting"))
    setting.add_argument("key", nargs="?", help="one of: " + ", ".join(settings.EDITABLE))
    setting.add_argument("value", nargs="?")
    setting.set_defaults(run=_setting)

    load = with_db(commands.add_parser(
        "import", help="import a CSV or Excel file into a table (all of it or nothing)",
        description="Exit codes: 0 imported (or, with --dry-run, would import); 1 rows were "
                    "rejected (the report is on stderr; nothing was written) or the store "
                    "could not be used; 2 usage errors. While the dashboard holds the store, "
                    "the import is handed to it."))
    load.add_argument("file", type=Path)
    load.add_argument("--table", required=True, choices=list(layouts.TABLES))
    load.add_argument("--preset", metavar="LAYOUT",
                      help="hubspot, salesforce, relay (the store's own columns) or the name "
                           "of a mapping saved on the Data page (default: recognised from "
                           "the file's headers)")
    load.add_argument("--dry-run", action="store_true",
                      help="check the file and say what would change; write nothing")
    load.add_argument("--date-format", metavar="PATTERN",
                      help="how the file's dates that are not ISO are written, as a strptime "
                           "pattern, e.g. %%d/%%m/%%Y or %%m/%%d/%%Y (default: decided from "
                           "every value; a file both fit is refused)")
    with_wait(load)
    _mapping_options(load)
    load.set_defaults(run=_import)
    _stages_parser(with_db(commands.add_parser(
        "stages", help="show or change the stage mapping (CRM stage -> status and forecast "
                       "category)", description=STAGES_HELP)))

    unload = with_db(commands.add_parser("export", help="write a table as CSV or Parquet"))
    unload.add_argument("--table", required=True, choices=exporting.TABLES)
    unload.add_argument("--format", choices=exporting.FORMATS, default="csv")
    unload.add_argument("--output", type=Path,
                        help="the file to write (default for csv: standard output)")
    with_wait(unload)
    unload.set_defaults(run=_export)

    keep = with_db(commands.add_parser("backup", help="copy the whole store to a new file"))
    keep.add_argument("--output", type=Path, required=True)
    with_wait(keep)
    keep.set_defaults(run=_backup)

    put_back = with_db(commands.add_parser(
        "restore", help="put a backup file in place of the store (the store is kept aside)",
        description="Checks the backup (a Revenue Relay store, not newer than this version, "
                    "every block readable), copies it beside the store, moves the store and "
                    "its .wal aside as <store>.replaced-YYYYMMDD-HHMMSS and puts the copy in "
                    "its place. Refused while the dashboard holds the store: restore on the "
                    "Data page then, or stop the dashboard. A refused restore changes nothing."))
    put_back.add_argument("file", type=Path, help="the backup, e.g. from `relay backup`")
    put_back.set_defaults(run=_restore)

    share = commands.add_parser(
        "load-shared", help="load a store file into an empty shared store ($RELAY_STORE)",
        description="Moves from the embedded store to PostgreSQL: every table of the store "
                    "file is copied into the empty database RELAY_STORE=postgresql://… names, "
                    "as one change the replicas load. Refused when that database holds a "
                    "store already.")
    share.add_argument("file", type=Path, help="the store file, e.g. data/relay.duckdb")
    share.set_defaults(run=_load_shared)

    def with_filters(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
        command.add_argument("--quarter", help="fiscal quarter, e.g. 2026-Q3 (default: current)")
        command.add_argument("--region")
        command.add_argument("--segment")
        command.add_argument("--as-of", type=_date, default=None,
                             help="the day to report as of, YYYY-MM-DD (default: today)")
        command.add_argument("--format", choices=["json", "csv", "ics"], default="json",
                             help="ics: the calendar view only")
        command.add_argument("--table", help="with --format csv: print this table of the view "
                                             "instead of its figures")
        return with_db(command)

    show = with_filters(commands.add_parser("report", help="print the figures a page shows"))
    show.add_argument("view", choices=sorted([*VIEWS, "calendar"]))
    show.add_argument("--from", dest="first", type=_date, metavar="YYYY-MM-DD",
                      help="calendar: first day shown; forecast: first day of the pipeline "
                           "changes (default: the quarter's first day)")
    show.add_argument("--to", dest="last", type=_date, metavar="YYYY-MM-DD",
                      help="calendar: last day shown; forecast: last day of the pipeline "
                           "changes (default: the as-of day)")
    calendar_options = show.add_argument_group("calendar", "the calendar view's own filters")
    calendar_options.add_argument("--channel", action="append", default=[])
    calendar_options.add_argument("--status", action="append", default=[])
    calendar_options.add_argument("--owner", action="append", default=[], help="a person_id")
    show.add_argument("--rep", help="sla: narrow the open breaches to this person_id; week: "
                                    "whose week (a person_id)")
    show.add_argument("--drill", metavar="FIGURE",
                      help="print the records (deals, leads or campaigns) behind one figure "
                           "of the view instead: their count, or the sum of their `total` "
                           "column, is the figure. Figures: "
                           + "; ".join(f"{name}: {', '.join(drill.for_view(name))}"
                                       for name in sorted([*VIEWS, "calendar"])))
    show.add_argument("--item", help="with --drill, the row of a table whose records to "
                                     "print: a campaign_id (campaign_leads, "
                                     "campaign_sourced_*), a channel (channel_*), a goal_id "
                                     "(goal_actual), a quarter (trend_closed_won), a funnel "
                                     "step, e.g. mql_to_sal or mql_to_sal:channel=Webinar "
                                     "(funnel_step_*), a rep's person_id, a team's manager "
                                     "person_id or a region (rep_*, team_*, region_*)")
    show.add_argument("--limit", type=int, default=None,
                      help="with --drill: print at most this many records (largest or "
                           "earliest first); the count and total stay over all of them")
    show.add_argument("--model", type=_model, default=None,
                      help="campaigns: the attribution model the credited figures follow, "
                           f"one of {', '.join(attribution.MODELS)} (default: setting "
                           "attribution_model)")
    show.add_argument("--cutoff-week", type=_week, default=None,
                      help="forecast: judge past calls made by the end of this week of each "
                           "quarter, 1-13 (default: setting forecast_cutoff_week)")
    show.set_defaults(run=_report)

    mail = with_db(commands.add_parser(
        "digest", help="each rep's week (and each manager's team) as an email"))
    mail.add_argument("--send", action="store_true",
                      help="send through the SMTP server of the settings (smtp_host, "
                           "smtp_port, smtp_starttls, smtp_user, digest_from; the password from "
                           f"{digest.PASSWORD_ENV} or [smtp] in .streamlit/secrets.toml)")
    mail.add_argument("--to", metavar="EMAIL", help="only the digest of the person with this "
                                                    "email")
    mail.add_argument("--out", type=Path, default=Path("digests"),
                      help="without --send: the folder the digests are written to "
                           "(default: digests)")
    mail.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD",
                      help="the day of the week to report (default: today)")
    mail.set_defaults(run=_digest)

    planner = with_filters(commands.add_parser(
        "plan", help="work a revenue target back to the pipeline, SQLs, SALs and MQLs it needs"))
    planner.add_argument("--revenue-target", type=float, default=None,
                         help="default: the stored revenue goal of the quarter and breakdown")
    planner.add_argument("--set", action="append", default=[], metavar="ASSUMPTION=VALUE",
                         help="override a measured assumption (what-if); assumptions: "
                              + ", ".join(planning.ASSUMPTIONS))
    planner.set_defaults(run=_plan)

    take_away = with_db(commands.add_parser(
        "pack", help="write the planning meeting's review pack: one HTML file that opens "
                     "with no network (and, with --pdf, the same as a PDF)"))
    take_away.add_argument("--quarter", required=True,
                           help="the fiscal quarter planned, e.g. 2027-Q1; the pack reviews "
                                "the last closed quarter before it")
    take_away.add_argument("--output", type=Path, default=None,
                           help="the HTML file to write (default: relay-pack-QUARTER.html "
                                "here); the PDF goes beside it with .pdf")
    take_away.add_argument("--pdf", action="store_true",
                           help="also print the pack to PDF with Chromium (/usr/bin/chromium, "
                                "or $RELAY_CHROMIUM)")
    take_away.add_argument("--as-of", type=_date, default=None,
                           help="the day to report as of, YYYY-MM-DD (default: today)")
    take_away.set_defaults(run=_pack)
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def _model(text: str) -> str:
    try:
        return attribution.model_name(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _week(text: str) -> int:
    try:
        return settings.cutoff_week(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def with_wait(command: argparse.ArgumentParser) -> None:
    """A command a running dashboard does for the command line: how long to wait for it."""
    command.add_argument("--wait", type=float, default=1800, metavar="SECONDS",
                         help="how long to wait for a running dashboard to do the job")


def leads_count(text: str) -> int:
    """An argument's number of demo leads: a whole number, 1000 or more."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1_000:
        raise argparse.ArgumentTypeError("the demo needs at least 1000 leads")
    return value


def _path(args) -> Path:
    return args.db or store.default_path()


def _not_over_a_shared_store(args, making: str) -> bool:
    """With a shared store ($RELAY_STORE) and no --db, the store is PostgreSQL's: a file
    made where this machine's copy goes would be refused as a copy. False when so and the
    caller may skip (`--if-missing`: the shared store is there already)."""
    url = replica.configured_url()
    if url is None or args.db is not None:
        return True
    if getattr(args, "if_missing", False):
        return False
    raise UsageError(
        f"{replica.URL_ENV} is set, so the store is the shared one at {replica.where(url)}; "
        f"nothing was made. Make {making} as a file (--db FILE), then load it into an empty "
        f"shared store with `python -m relay load-shared FILE`.")


def _demo(args) -> int:
    if not _not_over_a_shared_store(args, "the demo"):
        return 0
    path = _path(args)
    if path.exists():
        if args.if_missing:
            return 0
        raise store.StoreError(
            f"{path} already exists and is never overwritten. Remove it yourself, or build "
            f"the demo elsewhere with --db."
        )
    spec = demo.DemoSpec(seed=args.seed, as_of=args.as_of or clock.today(), leads=args.leads)
    started = time.perf_counter()
    counts = demo.build(path, spec)
    took = time.perf_counter() - started
    summary = ", ".join(f"{count:,} {table}" for table, count in counts.items())
    print(f"Built the demo store {path} as of {spec.as_of} (seed {spec.seed}) in {took:.1f} s: "
          f"{summary}.")
    return 0


def _init(args) -> int:
    _not_over_a_shared_store(args, "an empty store")
    path = _path(args)
    store.create(path).close()
    print(f"Created an empty store at {path}.")
    return 0


def _import(args) -> int:
    if not args.file.is_file():
        raise UsageError(f"{args.file}: no such file")
    job = {"kind": "import", "file": str(args.file.resolve()), "file_name": args.file.name,
           "table": args.table, "layout": args.preset, "dry_run": args.dry_run,
           "actor": identity.acting_user(), "date_format": args.date_format,
           **_mapping_job(args)}
    answer = _run_job(args, job)
    stream = sys.stdout if not answer["problems"] else sys.stderr
    for note in answer.get("notes", []):  # what reading the export's shape did
        print(f"Read as exported: {note}", file=stream)
    if args.dry_run and not answer["problems"]:
        print(f"Dry run, nothing written. {answer['summary']}", file=stream)
    else:
        print(answer["summary"], file=stream)
    if answer["new_people"]:
        print(f"New people: {', '.join(answer['new_people'])}", file=stream)
    if answer.get("merged_people"):
        print(f"Merged into the people they are: {', '.join(answer['merged_people'])}",
              file=stream)
    for effect in answer.get("effects", []):
        print(effect, file=stream)
    _print_kinds_and_sample(args, answer)
    for problem in answer["problems"]:
        print(problem, file=sys.stderr)
    for warning in answer.get("warnings", []):
        print(f"warning: {warning}", file=stream)
    return 1 if answer["problems"] else 0


def _mapping_options(load: argparse.ArgumentParser) -> None:
    load.add_argument("--map", action="append", default=[], metavar="COLUMN=HEADER",
                      help="feed a store column from this file header, on top of the "
                           "recognised layout or --preset (repeatable), e.g. "
                           "--map \"amount=Deal Value\"")
    load.add_argument("--problems", type=Path, metavar="FILE",
                      help="write every problem (line, column, value, reason) to this CSV "
                           "file; a file that passes leaves just the header")


def _mapping_job(args) -> dict:
    """What --map and --problems add to an import job."""
    columns = {}
    for given in args.map:
        column, equals, header = given.partition("=")
        if not equals or not column.strip() or not header.strip():
            raise UsageError(f"--map {given!r}: write it as COLUMN=HEADER, e.g. "
                             "\"amount=Deal Value\"")
        if column.strip().lower() in columns:
            raise UsageError(f"--map: the column {column.strip()!r} is mapped twice")
        columns[column.strip().lower()] = header.strip()
    job: dict = {"map": columns} if columns else {}
    if args.problems is not None:
        if not args.problems.resolve().parent.is_dir():
            raise UsageError(f"--problems {args.problems}: no such folder")
        job["problems"] = str(args.problems.resolve())
    return job


def _print_kinds_and_sample(args, answer: dict) -> None:
    """A refusal's summary by kind of problem; a dry run's first rows as stored."""
    if answer["problems"]:
        kinds = answer.get("problem_kinds", [])
        among = ("" if answer.get("problem_kinds_complete", True) else
                 f" among the first {len(answer['problems']):,} (the file could not be read "
                 "whole; --problems holds those too)")
        print(f"{len(kinds)} kind(s) of problem{among}:", file=sys.stderr)
        for kind in kinds:
            print(f"  {kind}", file=sys.stderr)
        listed = len(answer["problems"])
        print(f"The first {listed:,} problem(s):" if listed < answer["counts"]["problems"]
              else "The problems:", file=sys.stderr)
    elif args.dry_run and answer.get("sample", {}).get("rows"):
        sample = answer["sample"]
        print(f"The first {len(sample['rows'])} rows as they will be stored:")
        print(_compact_table(sample["columns"], sample["rows"]))


def _compact_table(columns: list[str], rows: list[list[str]], widest: int = 24) -> str:
    def cell(text: str) -> str:
        text = " ".join(str(text).split())
        return text if len(text) <= widest else text[:widest - 1] + "…"

    cells = [[cell(name) for name in columns], *([cell(value) for value in row] for row in rows)]
    widths = [max(len(row[index]) for row in cells) for index in range(len(columns))]
    return "\n".join("  ".join(value.ljust(width) for value, width in zip(row, widths,
                                                                       strict=True)).rstrip()
                     for row in cells)


STAGES_HELP = (
    "Without arguments: the stage mapping, one line per stage. `set \"STAGE=STATUS,CATEGORY\"` "
    "(one or more) adds or changes those stages, e.g. set \"Won=won,closed\" "
    "\"Engaging=open,pipeline\". `remove STAGE` drops stages. `load FILE.csv` replaces the "
    "whole mapping with the file's rows (columns stage, status, forecast_category). Status: "
    + ", ".join(layouts.DEAL_STATUSES) + "; forecast category: "
    + ", ".join(layouts.FORECAST_CATEGORIES) + ". Stage names match ignoring case. Every "
    "change is audited, as on the Data page (the same check and save). While the dashboard "
    "holds the store, the job is handed to it.")


def _stages_parser(stages: argparse.ArgumentParser) -> None:
    stages.add_argument("action", nargs="?", choices=["list", "set", "remove", "load"],
                        default="list")
    stages.add_argument("items", nargs="*", metavar="STAGE=STATUS,CATEGORY | STAGE | FILE")
    with_wait(stages)
    stages.set_defaults(run=_stages)


def _stages(args) -> int:
    if args.action == "list" and args.items:
        raise UsageError("list takes no arguments")
    if args.action != "list" and not args.items:
        raise UsageError(f"{args.action} needs at least one "
                         + ("file" if args.action == "load" else "stage"))
    items = [str(Path(args.items[0]).resolve())] if args.action == "load" else args.items
    answer = _run_job(args, {"kind": "stages", "action": args.action, "items": items,
                             "actor": identity.acting_user()})
    if args.action == "list":
        print(_compact_table(["stage", "status", "forecast_category"], answer["stages"]))
    else:
        print(f"Saved the stage mapping ({answer['saved']} stages).")
    return 0


def _export(args) -> int:
    if args.output is None and args.format != "csv":
        raise UsageError("--format parquet needs --output FILE")
    output = args.output.resolve() if args.output else _stdout_spool(_path(args))
    try:
        _run_job(args, {"kind": "export", "table": args.table, "format": args.format,
                        "output": str(output)})
        if args.output is None:
            with output.open(encoding="utf-8") as written:
                for line in written:
                    sys.stdout.write(line)
    finally:
        if args.output is None:
            output.unlink(missing_ok=True)
    return 0


def _stdout_spool(store_path: Path) -> Path:
    """Where an export to standard output is written first: in the store's inbox when a
    dashboard keeps one (it may be the one writing), else in the temporary folder."""
    try:
        inbox = handoff.check_inbox(store_path)
    except store.StoreError:  # not only this user's: never write data into it
        inbox = None
    handle, name = tempfile.mkstemp(prefix="relay-export-", suffix=".csv", dir=inbox)
    os.close(handle)
    return Path(name)


def _backup(args) -> int:
    output = args.output.resolve()
    if output.exists():
        raise UsageError(f"{output} already exists; a backup never overwrites a file")
    _run_job(args, {"kind": "backup", "output": str(output)})
    print(f"Backed up {_path(args)} to {output}.")
    return 0


def _restore(args) -> int:
    if not args.file.is_file():
        raise UsageError(f"{args.file}: no such file")
    path = _path(args)
    if handoff.worker_alive(path):
        raise store.StoreLocked(
            f"The dashboard holds {path}, so nothing was changed. Restore on its Data page "
            "(Downloads and backup), or stop the dashboard and run this again.")
    done = restoring.restore(path, args.file)
    kept = (f"; the replaced store was kept as {done.kept}" if done.kept
            else "")
    print(f"Restored {path} from {args.file} ({done.tables} tables, schema version "
          f"{done.schema_version}){kept}.")
    return 0


def _load_shared(args) -> int:
    url = replica.configured_url()
    if url is None:
        raise UsageError(f"Set {replica.URL_ENV}=postgresql://… to the shared store first.")
    rows = replica.publish(args.file, url)
    print(f"Loaded {args.file} into the shared store at {replica.where(url)}: {rows:,} rows.")
    return 0


def _run_job(args, job: dict) -> dict:
    """Run an import/export job here, or hand it to the dashboard holding the store."""
    path = _path(args)
    try:
        connection = store.open_store(path)
    except store.StoreLocked:
        handoff.check_inbox(path)  # refuses an inbox someone else could have written
        if not handoff.worker_alive(path):
            raise
        connection = None
    if connection is None:
        return _hand_off(path, job, args.wait)
    imports_before = _latest_import(connection) if job["kind"] == "import" else 0
    try:
        return handoff.run_job(connection, job, progress=lambda step: print(
            step, file=sys.stderr, flush=True))
    except (KeyboardInterrupt, RuntimeError) as error:
        if not _interrupted(error):
            raise
        raise KeyboardInterrupt(_what_was_interrupted(connection, job, imports_before)) from None
    except (layouts.LayoutError, exporting.ExportError) as error:
        raise UsageError(str(error)) from error
    except importing.ImportFailed as error:
        raise store.StoreError(str(error)) from error
    finally:
        connection.close()


def _interrupted(error: BaseException) -> bool:
    """Ctrl+C: DuckDB answers it during a query with RuntimeError('Query interrupted')."""
    return isinstance(error, KeyboardInterrupt) or str(error) == "Query interrupted"


def _latest_import(connection) -> int:
    with sql.cursor(connection) as cursor:
        return importing.latest_import_id(cursor)


def _what_was_interrupted(connection, job: dict, imports_before: int) -> str:
    """What Ctrl+C left of a job run here (an import not committed is rolled back)."""
    if job["kind"] == "stages":
        return "interrupted; the stage mapping is saved whole or not at all"
    if job["kind"] != "import":
        return f"interrupted; {job['output']} may be incomplete: delete it"
    with sql.cursor(connection) as cursor:
        written = importing.imported_since(cursor, imports_before, job["file_name"],
                                           job["table"], job["actor"])
    if written:
        return "interrupted after the import was written — see the Data page's import history"
    return "interrupted; nothing of the import was written (it is all or nothing)"


def _hand_off(path: Path, job: dict, wait: float) -> dict:
    print(f"The dashboard holds {path}; handing the job to it.", file=sys.stderr)
    try:
        answer = handoff.submit(path, job, wait)
    except handoff.HandoffError as error:
        raise store.StoreError(str(error)) from error
    if "error" in answer:
        if answer.get("error_type") in ("LayoutError", "ExportError"):
            raise UsageError(answer["error"])
        raise store.StoreError(answer["error"])
    return answer


def _setting(args) -> int:
    if args.value is not None:
        connection = store.open_store(_path(args))
        try:
            value = settings.change(connection, args.key, args.value)
        except ValueError as error:
            raise UsageError(str(error)) from error
        finally:
            connection.close()
        print(f"{args.key} = {value}")
        return 0
    connection = store.open_store(_path(args), read_only=True)
    try:
        with sql.cursor(connection) as cursor:
            current = settings.load(cursor)
    finally:
        connection.close()
    for key in settings.EDITABLE:
        if args.key in (None, key):
            print(f"{key} = {getattr(current, key)}")
    if args.key and args.key not in settings.EDITABLE:
        raise UsageError(f"{args.key!r} is not a setting "
                         f"(settings: {', '.join(settings.EDITABLE)})")
    return 0


def _report(args) -> int:
    if args.drill:
        return _drill(args)
    if args.item or args.limit:
        raise UsageError("--item and --limit go with --drill")
    if args.view == "calendar":
        return _calendar(args)
    if args.format == "ics":
        raise UsageError("--format ics is for the calendar view")
    if args.rep and args.view not in ("sla", "week"):
        raise UsageError("--rep is for the sla and week views")
    if args.view == "week":
        if not args.rep:
            raise UsageError("the week view needs --rep PERSON_ID")
        return _print_view(args, lambda cursor, chosen, as_of: _week_of(
            cursor, chosen, as_of, args.rep))
    if args.view != "forecast" and (args.first or args.last):
        raise UsageError("--from and --to are for the calendar and forecast views")
    if args.cutoff_week and args.view != "forecast":
        raise UsageError("--cutoff-week is for the forecast view")
    if args.model and args.view != "campaigns":
        raise UsageError("--model is for the campaigns view")
    if args.view == "campaigns":
        return _print_view(args, lambda cursor, chosen, as_of: campaign_performance.build(
            cursor, chosen, as_of, model=args.model))
    if args.view == "forecast":
        return _print_view(args, lambda cursor, chosen, as_of: _forecast(
            cursor, chosen, as_of, args))
    if args.view == "sla":
        return _print_view(args, lambda cursor, chosen, as_of: sla.build(
            cursor, chosen, as_of, rep=_known_rep(cursor, args.rep)))
    return _print_view(args, VIEWS[args.view])


def _digest(args) -> int:
    connection = store.open_store(_path(args), read_only=True)
    try:
        with sql.cursor(connection) as cursor:
            config = settings.load(cursor)
            base, guessed = settings.base_url(config)
            if guessed and args.send:
                # A mail read elsewhere must not link to a guessed address (the default one
                # is this machine's localhost, which is nobody's inbox's).
                print("Not sent: the app_url setting is not set, so every link would point "
                      f"to {base}. Set it: python -m relay setting app_url https://…",
                      file=sys.stderr)
                return 1
            if guessed:
                print(guessed, file=sys.stderr)
            made, skipped = digest.build_all(cursor, args.as_of or clock.today(), base,
                                             args.to)
    finally:
        connection.close()
    for why in skipped:
        print(f"No digest for {why}", file=sys.stderr)
    if args.send:
        digest.send(made, config)
        print(f"Sent {len(made)} digests: {', '.join(d.email for d in made)}")
    else:
        written = digest.write(made, args.out)
        print(f"Wrote {len(made)} digests ({len(written)} files) to {args.out}; --send sends "
              "them")
    return 0


def _drill(args) -> int:
    """The records behind one figure, with the figure (when the view shows it) to check them
    against."""
    if args.format == "ics" or args.table:
        raise UsageError("--drill prints JSON or CSV records: no --table, no ics")

    dates = _calendar_range(args) if args.view == "calendar" else None

    def build(cursor, chosen, as_of):
        if dates:
            scope = drill.RangeScope(_calendar_filters(args, cursor, chosen, *dates), as_of,
                                     args.item)
        else:
            scope = drill.Scope(chosen.quarter, chosen.region, chosen.segment, as_of, args.item)
        try:
            key, scope = drill.resolve(cursor, args.view, args.drill, scope,
                                       settings.load(cursor).fiscal_year_start_month)
            found = drill.records(cursor, key, scope, limit=args.limit or drill.NO_LIMIT)
        except drill.DrillError as error:
            raise UsageError(f"--drill: {error}") from error
        figure = None
        if args.item is None:
            if dates:
                figure = calendar.build(cursor, scope.chosen, as_of).figures.get(args.drill)
            else:
                builder = forecast.current if args.view == "forecast" else VIEWS[args.view]
                figure = builder(cursor, chosen, as_of).figures.get(args.drill)
        return scope, found, figure

    (scope, found, figure), _ = _load_view(args, build)
    if args.format == "csv":
        sys.stdout.write(report.table_csv(found.rows))
        return 0
    print(json.dumps({
        "view": args.view,
        "drill": args.drill,
        "opens": found.drill.key,
        "records_are": found.drill.describe(),
        **_drill_scope(scope),
        "as_of": scope.as_of.isoformat(), "item": args.item,
        "figure": None if figure is None else {
            "label": figure.label, "value": figure.value, "state": figure.state.value,
            "reason": figure.reason or None},
        "count": found.count,
        "total": found.total,
        "shown": len(found.rows),
        "records": report.records(found.rows),
    }, indent=2, ensure_ascii=False))
    return 0


def _drill_scope(scope) -> dict:
    """What the records were listed for: the quarter and breakdown, or the calendar's range
    and filters."""
    if isinstance(scope, drill.RangeScope):
        return scope.chosen.as_dict()
    return {"quarter": str(scope.quarter), "region": scope.region, "segment": scope.segment}


def _forecast(cursor, chosen, as_of, args):
    try:
        forecast.change_range(chosen.quarter, as_of, args.first, args.last)
    except forecast.ChangeRangeError as error:
        raise UsageError(f"--from/--to: {error}") from error
    return forecast.build(cursor, chosen, as_of, changes_from=args.first,
                          changes_to=args.last, cutoff_week=args.cutoff_week)


def _week_of(cursor, chosen, as_of, rep: str):
    try:
        return week.build(cursor, chosen, as_of, rep=rep)
    except week.UnknownRep as error:
        raise UsageError(f"--rep: {error}") from error


def _known_rep(cursor, rep: str | None) -> str | None:
    if rep is None:
        return None
    reps = dict(sql.frame(cursor, "sla_reps", region=None, segment=None).itertuples(index=False))
    if rep not in reps:
        raise UsageError(f"--rep {rep!r}: no MQLs are owned by that person_id")
    return rep


def _plan(args) -> int:
    overrides = {}
    for text in args.set:
        key, _, value = text.partition("=")
        try:
            overrides[key.strip()] = float(value)
        except ValueError:
            raise UsageError(f"--set {text!r}: write it as ASSUMPTION=NUMBER, "
                             f"e.g. win_rate=0.3") from None

    def build(cursor, chosen, as_of):
        view = plan.build(cursor, chosen, as_of, revenue_target=args.revenue_target,
                          overrides=overrides)
        if view.problems:
            raise UsageError(" ".join(view.problems))
        return view

    return _print_view(args, build)


def _calendar_range(args) -> tuple[dt.date, dt.date]:
    if args.first is None or args.last is None:
        raise UsageError("the calendar needs --from and --to (YYYY-MM-DD)")
    try:
        first, last = calendar.date_range("custom", args.first, first=args.first, last=args.last)
    except calendar.RangeError as error:
        raise UsageError(str(error)) from error
    if args.quarter:
        raise UsageError("--quarter does not apply to the calendar; give --from and --to")
    return first, last


def _calendar_filters(args, cursor, chosen, first: dt.date,
                      last: dt.date) -> calendar.CalendarFilters:
    """The calendar's filters from the flags, refusing a status, channel or owner it has not."""
    known = calendar.choices(cursor)
    for flag, given, allowed in (("--status", args.status, campaigns.STATUSES),
                                 ("--channel", args.channel, known["channels"]),
                                 ("--owner", args.owner, known["owners"])):
        unknown = sorted(set(given) - set(allowed))
        if unknown:
            raise UsageError(f"{flag}: {', '.join(unknown)} is not one of "
                             f"{', '.join(sorted(allowed))}.")
    return calendar.CalendarFilters(first, last, chosen.region, chosen.segment,
                                    tuple(args.channel), tuple(args.status), tuple(args.owner))


def _calendar(args) -> int:
    first, last = _calendar_range(args)

    def build(cursor, chosen, as_of):
        return calendar.build(cursor, _calendar_filters(args, cursor, chosen, first, last),
                              as_of)

    view, config = _load_view(args, build)
    if args.format == "ics":
        base, guessed = settings.base_url(config)
        if guessed:
            print(guessed, file=sys.stderr)
        link = calendar.view_link(base, view.filters)
        sys.stdout.write(ics.calendar_file(view.tables["campaigns"], link, config.currency,
                                           config.store_id).decode("utf-8"))
        return 0
    if args.format == "csv" and not args.table:
        sys.stdout.write(report.table_csv(view.tables["campaigns"]))
        return 0
    return _print(args, view)


def _print_view(args, build) -> int:
    return _print(args, _load_view(args, build)[0])


def _load_view(args, build):
    """Resolve the filters as the app would (but refuse what it would only warn about) and
    build the view; returns it with the store's settings."""
    connection = store.open_store(_path(args), read_only=True)
    try:
        with sql.cursor(connection) as cursor:
            as_of = args.as_of or clock.today()
            config = settings.load(cursor)
            available = filters.options(cursor, as_of, config.fiscal_year_start_month)
            chosen, problems = filters.resolve(getattr(args, "quarter", None), args.region,
                                               args.segment, available,
                                               config.fiscal_year_start_month,
                                               any_quarter=True)
            if problems:
                raise UsageError(" ".join(problems))
            return build(cursor, chosen, as_of), config
    finally:
        connection.close()


def _print(args, view) -> int:
    if args.format == "json":
        print(report.to_json(view))
    else:
        if args.table and args.table not in view.tables:
            raise UsageError(f"the {view.name} view has no table {args.table!r} "
                             f"(it has: {', '.join(view.tables)})")
        sys.stdout.write(report.to_csv(view, args.table))
    return 0


def _pack(args) -> int:
    # Imported here: the pack draws the pages' charts (relay.ui), which the other commands
    # do not need to load.
    from relay import pack

    output = (args.output or Path(f"relay-pack-{args.quarter.strip()}.html")).resolve()
    if not output.parent.is_dir():
        raise UsageError(f"--output {args.output}: no such folder")
    connection = store.open_store(_path(args), read_only=True)
    try:
        with sql.cursor(connection) as cursor:
            start_month = settings.load(cursor).fiscal_year_start_month
            try:
                quarter = Quarter.parse(args.quarter, start_month)
            except QuarterError as error:
                raise UsageError(f"--quarter: {error}") from None
            page = pack.pack_html(cursor, quarter, args.as_of or clock.today())
    finally:
        connection.close()
    # The pack holds the store's figures and people: the user's own file, as the digests are.
    private.write_bytes(output, page.encode("utf-8"))
    print(f"Wrote the {quarter} pack to {output} ({output.stat().st_size / 1e6:.1f} MB).")
    if args.pdf:
        printed = output.with_suffix(".pdf")
        try:
            private.write_bytes(printed, pack.print_pdf(page))
        except pack.PrintError as error:
            raise store.StoreError(f"the HTML pack is written; the PDF is not: {error}") from None
        print(f"Printed it to {printed} ({printed.stat().st_size / 1e6:.1f} MB).")
    return 0
