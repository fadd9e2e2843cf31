"""What an import run tells the user: every bad row, and what it would create (or created)."""

from dataclasses import dataclass, field

from linli.registry.io.cells import CellError
from linli.registry.io.columns import Kind

# Enough to fix any real file; bounds memory when a whole 200,000-row file is wrong.
MAX_LISTED_ERRORS = 10_000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    code: str
    message: object  # a lazy Chinese string until rendered

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "code": self.code, "message": str(self.message)}


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    sha256: str
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    bad_rows: set[int] = field(default_factory=set)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add(self, row: int, column: str, error: CellError) -> None:
        self.error_count += 1
        self.bad_rows.add(row)
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(RowError(row, column, error.code, error.message))

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "committed": self.committed,
            "sha256": self.sha256,
            "rows": self.rows,
            "bad_rows": len(self.bad_rows),
            "error_count": self.error_count,
            "errors_truncated": self.error_count > len(self.errors),
            "errors": [e.as_dict() for e in sorted(self.errors, key=lambda e: e.row)],
            "counts": self.counts,
        }


class RowErrors:
    """Collects the errors of one row under the file's column headers."""

    def __init__(self, report: ImportReport, kind: Kind, row: int):
        self.report = report
        self.kind = kind
        self.row = row
        self.found = False

    def add(self, key: str, error: CellError) -> None:
        self.found = True
        self.report.add(self.row, self.kind.column(key).header, error)

    def check(self, key: str, fn, *args):
        """fn(*args), or None after recording its CellError against this column."""
        try:
            return fn(*args)
        except CellError as exc:
            self.add(key, exc)
            return None
