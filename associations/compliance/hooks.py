"""How `associations` reaches the judgments drawn from its compliance facts without importing the app that
draws them (docs/architecture.md: the lower app defines an interface, the higher registers in `ready()`).

`grading` registers a judge: it is told when a clerk changes an association's facts for a year (so the
year's status and tier are recomputed in the same transaction), and it reports the stored judgment to show
beside the facts on the checklist and grid pages. Without a registered judge both are no-ops.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class RuleLine:
    outcome: str  # "pass", "fail" or "pending"
    label: str
    message: str


@dataclass(frozen=True)
class Judgement:
    status: str
    status_label: str
    tier_label: str
    url: str
    rules: list[RuleLine] = field(default_factory=list)
    #: The year's register is final: the judgment no longer follows the facts.
    finalised: bool = False


class ComplianceJudge(Protocol):
    def facts_changed(self, *, association_ids: Sequence[int], year: int, actor: object) -> list[str]:
        """Judge the year again for these associations; answers notices for the person who changed them
        (e.g. that the year's register is final and was left as it is)."""
        ...

    def associations_changed(self, *, association_ids: Sequence[int]) -> None:
        """Associations were created, or changed in what their duties depend on (their meeting interval,
        their status), without a fact of any one year changing: keep what they have to do up to date."""
        ...

    def judgements(
        self, *, association_ids: Sequence[int], year: int, with_rules: bool = True
    ) -> dict[int, Judgement]:
        """The stored judgments; `with_rules=False` leaves out the rule lines (`rules` empty), for pages that
        show only the status."""
        ...


_judges: list[ComplianceJudge] = []


def register_judge(judge: ComplianceJudge) -> None:
    if all(type(existing) is not type(judge) for existing in _judges):
        _judges.append(judge)


def facts_changed(*, association_ids: Iterable[int], year: int, actor: object) -> list[str]:
    ids = list(association_ids)
    notices: list[str] = []
    for judge in _judges:
        notices += judge.facts_changed(association_ids=ids, year=year, actor=actor)
    return notices


def associations_changed(*, association_ids: Iterable[int]) -> None:
    ids = list(association_ids)
    if not ids:
        return
    for judge in _judges:
        judge.associations_changed(association_ids=ids)


def judgements(*, association_ids: Iterable[int], year: int, with_rules: bool = True) -> dict[int, Judgement]:
    ids = list(association_ids)
    merged: dict[int, Judgement] = {}
    for judge in _judges:
        merged.update(judge.judgements(association_ids=ids, year=year, with_rules=with_rules))
    return merged
