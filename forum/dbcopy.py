"""Copy a whole community from one database to another (the embedded SQLite file to PostgreSQL, usually).

The target gets the schema from the migrations, then every table's rows in foreign-key order inside one
transaction, so a failure leaves it as it was. Columns that point forward within a table or round a cycle
(`posts.question_id`, `posts.accepted_answer_id`, `posts.duplicate_of_id`) are filled in a second pass.
PostgreSQL's id sequences are moved past the copied ids, and the row counts of both sides are compared.
"""
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import alembic.command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, Table, bindparam, create_engine, event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import ForeignKeyConstraint, sort_tables_and_constraints

BATCH_SIZE = 1000


class CopyError(Exception):
    """The copy cannot start or did not finish; the target is unchanged."""


@dataclass
class CopyReport:
    revision: str | None
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (source rows, target rows)

    @property
    def mismatches(self) -> dict[str, tuple[int, int]]:
        return {name: pair for name, pair in self.counts.items() if pair[0] != pair[1]}

    @property
    def rows(self) -> int:
        return sum(source for source, _target in self.counts.values())


def snapshot_engine(url: str) -> Engine:
    """An engine whose transactions read one consistent snapshot of every table (writers may go on)."""
    if url.startswith("sqlite"):
        engine = create_engine(url)

        @event.listens_for(engine, "begin")
        def _begin(connection):  # pysqlite would not BEGIN before a SELECT; one read transaction = one snapshot
            connection.exec_driver_sql("BEGIN")
        return engine
    return create_engine(url, isolation_level="REPEATABLE READ")


def copy_database(source: Engine, target: Engine, metadata: MetaData, alembic_config, *, force: bool = False,
                  progress: Callable[[int], None] = lambda rows: None) -> CopyReport:
    """Copy every table of `metadata` from `source` to `target`, whose schema is migrated first."""
    if _same_database(source, target):
        raise CopyError("The source and the target are the same database.")
    with source.begin() as reading:
        revision = _revision(reading)
        head = ScriptDirectory.from_config(alembic_config).get_current_head()
        if revision != head:
            raise CopyError(f"The source database is at migration {revision}, not {head}: "
                            "run `flask db upgrade` on it first.")
        _migrate(target, alembic_config)
        tables, deferred = _copy_order(metadata)
        with target.begin() as writing:
            existing = {table.name: _count(writing, table) for table in tables}
            if any(existing.values()) and not force:
                filled = ", ".join(f"{name} ({rows})" for name, rows in existing.items() if rows)
                raise CopyError(f"The target database already has data: {filled}. "
                                "Use --force to replace it.")
            if any(existing.values()):
                _empty(writing, tables)
            try:
                for table in tables:
                    _copy_table(reading, writing, table, deferred.get(table.name, ()), progress)
                for table in tables:
                    _fill_deferred(reading, writing, table, deferred.get(table.name, ()))
                _advance_sequences(writing, tables)
            except DBAPIError as error:
                raise CopyError(f"The copy stopped and the target was left unchanged: {error.orig}") from error
        report = CopyReport(revision=revision)
        with target.connect() as checking:
            for table in tables:
                report.counts[table.name] = (_count(reading, table), _count(checking, table))
    return report


def count_rows(source: Engine, metadata: MetaData) -> int:
    """How many rows a copy moves (for the progress bar)."""
    with source.connect() as connection:
        return sum(_count(connection, table) for table in metadata.sorted_tables)


def _same_database(source: Engine, target: Engine) -> bool:
    return source.url.render_as_string(hide_password=False) == target.url.render_as_string(hide_password=False)


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _migrate(target: Engine, alembic_config) -> None:
    """Bring the target's schema to the migrations' head (migrations/env.py uses the connection given here)."""
    with target.begin() as connection:
        alembic_config.attributes["connection"] = connection
        try:
            alembic.command.upgrade(alembic_config, "head")
        finally:
            alembic_config.attributes.pop("connection", None)


def _copy_order(metadata: MetaData) -> tuple[list[Table], dict[str, tuple[str, ...]]]:
    """Tables parents first, and per table the nullable columns to fill after every row exists."""
    tables: list[Table] = []
    deferred: dict[str, set[str]] = {}
    for table, constraints in sort_tables_and_constraints(metadata.sorted_tables):
        if table is not None:
            tables.append(table)
            constraints = [c for c in constraints if c.referred_table is table]  # pointing within the table
        for constraint in constraints:
            _defer(deferred, constraint)
    return tables, {name: tuple(sorted(columns)) for name, columns in deferred.items()}


def _defer(deferred: dict[str, set[str]], constraint: ForeignKeyConstraint) -> None:
    columns = [column for column in constraint.columns if column.nullable]
    if len(columns) == len(constraint.columns):
        deferred.setdefault(constraint.table.name, set()).update(column.name for column in columns)


def _rows(connection: Connection, table: Table) -> Iterator[list[dict]]:
    result = connection.execute(select(table).order_by(*table.primary_key.columns)).mappings()
    while batch := result.fetchmany(BATCH_SIZE):
        yield [dict(row) for row in batch]


def _copy_table(reading: Connection, writing: Connection, table: Table, deferred: tuple[str, ...],
                progress: Callable[[int], None]) -> None:
    for batch in _rows(reading, table):
        if deferred:
            batch = [{**row, **{name: None for name in deferred}} for row in batch]
        writing.execute(table.insert(), batch)
        progress(len(batch))


def _fill_deferred(reading: Connection, writing: Connection, table: Table, deferred: tuple[str, ...]) -> None:
    if not deferred:
        return
    keys = [column.name for column in table.primary_key.columns]
    statement = table.update().where(*[table.c[key] == bindparam(f"key_{key}") for key in keys]).values(
        {name: bindparam(f"value_{name}") for name in deferred})
    for batch in _rows(reading, table):
        changes = [{**{f"key_{key}": row[key] for key in keys}, **{f"value_{name}": row[name] for name in deferred}}
                   for row in batch if any(row[name] is not None for name in deferred)]
        if changes:
            writing.execute(statement, changes)


def _empty(writing: Connection, tables: list[Table]) -> None:
    if writing.dialect.name == "postgresql":
        names = ", ".join(writing.dialect.identifier_preparer.quote(table.name) for table in tables)
        writing.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    for table in reversed(tables):
        writing.execute(table.delete())


def _advance_sequences(writing: Connection, tables: list[Table]) -> None:
    """Inserting explicit ids leaves PostgreSQL's sequences at 1; the next new post would collide."""
    if writing.dialect.name != "postgresql":
        return
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or keys[0].autoincrement is False or not _is_integer(keys[0]):
            continue
        column = keys[0].name
        writing.execute(
            text(f"SELECT setval(pg_get_serial_sequence(:table, :column), COALESCE(MAX({column}), 1), "
                 f"MAX({column}) IS NOT NULL) FROM {writing.dialect.identifier_preparer.quote(table.name)}"),
            {"table": table.name, "column": column})


def _is_integer(column) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


def _count(connection: Connection, table: Table) -> int:
    return connection.execute(select(func.count()).select_from(table)).scalar_one()
