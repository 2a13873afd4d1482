"""No silent success: what a read of a source noticed that is not a failure but must not pass
for a plain "ok", gathered while the pages are read and said once per source.

- a page walk that may have stopped early, or a vendor capping its pages (``Page.doubt``,
  ``Page.note``);
- an endpoint that returned no records for an agency where an earlier read got some (a wrong
  auth scheme can look like an empty list: some servers answer it with 200);
- a mapped field whose path matched nothing in any record read (``FieldCoverage``);
- a field that every record of a page failed on (an unknown date form), named once with the
  number of pages and records, not only as records set aside.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from checker.errors import RecordError
from checker.i18n import _
from connectors.compiler import FieldCoverage

if TYPE_CHECKING:
    from connectors.mapping import Endpoint
    from connectors.pagination import Page


@dataclass
class _Failing:
    pages: int = 0
    records: int = 0
    example: str = ""


@dataclass
class Watch:
    """What one source's read noticed, in the order it was noticed."""

    _said: list[str] = field(default_factory=list)
    _coverage: dict[str, tuple[Endpoint, FieldCoverage]] = field(default_factory=dict)
    _failing: dict[tuple[str, str], _Failing] = field(default_factory=dict)

    def page(
        self,
        endpoint: Endpoint,
        agency: str,
        page: Page,
        raws: Iterable[Any],
        failed: list[RecordError],
    ) -> None:
        """One page read: its raw records (after details) and the errors of those set aside."""
        for remark in (page.doubt, page.note):
            if remark:
                said = _("{endpoint}, agency {agency}: {remark}")
                self.say(said.format(endpoint=endpoint.name, agency=agency, remark=remark))
        coverage = self._coverage.setdefault(endpoint.name, (endpoint, FieldCoverage(endpoint)))[1]
        for raw in raws:
            coverage.see(raw)
        if failed and len(failed) == len(page.items):
            fields = {error.field for error in failed}
            if len(fields) == 1 and (name := fields.pop()) is not None:
                failing = self._failing.setdefault((endpoint.name, name), _Failing())
                failing.pages += 1
                failing.records += len(failed)
                failing.example = failing.example or failed[0].reason

    def walk_ended(self, endpoint: Endpoint, agency: str, records: int, *, had_some: bool) -> None:
        """A walk over: ``records`` read, where an earlier read got some if ``had_some``."""
        if not records and had_some:
            said = _(
                "{endpoint}, agency {agency}: the source returned no records where an earlier "
                "sync read some (check the credentials' scheme, the path and filters)"
            )
            self.say(said.format(endpoint=endpoint.name, agency=agency))

    def say(self, text: str) -> None:
        if text not in self._said:
            self._said.append(text)

    def warnings(self) -> list[str]:
        """Everything noticed, with the fields that read nothing and the failing fields."""
        said = list(self._said)
        for endpoint, coverage in self._coverage.values():
            for ours, theirs in coverage.unmatched().items():
                line = _(
                    "{endpoint}: field {field} (path {path}) matched nothing in any of "
                    "the {records} records read"
                )
                said.append(
                    line.format(
                        endpoint=endpoint.name,
                        field=ours,
                        path=repr(theirs),
                        records=coverage.records,
                    )
                )
        for (name, theirs), failing in self._failing.items():
            line = _(
                "{endpoint}: every record of {pages} page(s) ({records} records) failed on "
                "{field}, e.g. {example}"
            )
            said.append(
                line.format(
                    endpoint=name,
                    pages=failing.pages,
                    records=failing.records,
                    field=theirs,
                    example=failing.example,
                )
            )
        return said
