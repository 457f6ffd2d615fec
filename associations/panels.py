"""Sections that apps above `associations` add to an association's page without `associations` importing
them (docs/architecture.md: the lower app defines an interface, the higher registers in `ready()`). The
first is `awards`' award history. A section is a titled table of already formatted cells."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from associations.models import Association


@dataclass(frozen=True)
class Section:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    empty: str = ""


class SectionProvider(Protocol):
    code: str

    def section(self, *, association: Association, user: object) -> Section | None: ...


_providers: dict[str, SectionProvider] = {}


def register_section(provider: SectionProvider) -> None:
    _providers[provider.code] = provider


def sections(*, association: Association, user: object) -> list[Section]:
    found = (provider.section(association=association, user=user) for provider in _providers.values())
    return [section for section in found if section is not None]
