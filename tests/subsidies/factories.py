"""Subsidy test data built through the services, so every application has the history a real one has."""

from __future__ import annotations

import datetime

from associations.models import County
from subsidies import services
from subsidies.models import Allocation, Application, ExpenseKind, FundingSource, SubsidyItem
from subsidies.services import CostInput, FundingInput

YEAR = 2026
MINISTRY = "衛生福利部推展社會福利補助"
FUND = "縣社會福利基金"


def configure(
    county: County, *, year: int = YEAR, recurrent: int = 1_000_000, capital: int = 1_000_000
) -> None:
    """The default sources and items, every allocation of the year set to the given amounts."""
    services.configuration_ensure(county=county, year=year)
    Allocation.objects.filter(source__county=county, year=year).update(
        recurrent_amount=recurrent, capital_amount=capital
    )


def source(county: County, name: str = FUND) -> FundingSource:
    return FundingSource.objects.get(county=county, name=name)


def item(county: County, name: str = "凝聚社區意識活動") -> SubsidyItem:
    return SubsidyItem.objects.get(county=county, name=name)


def draft(
    clerk,
    association,
    *,
    requested: int = 95_000,
    self_funded: int = 5_000,
    source_name: str = FUND,
    item_name: str = "凝聚社區意識活動",
    year: int = YEAR,
    title: str = "社區中秋聯歡活動",
) -> Application:
    county = association.township.county
    chosen = item(county, item_name)
    return services.application_save(
        actor=clerk,
        association=association,
        year=year,
        item=chosen,
        title=title,
        starts_on=datetime.date(year, 3, 1),
        ends_on=datetime.date(year, 10, 31),
        self_funded=self_funded,
        costs=[CostInput(chosen.kind, "活動費", requested + self_funded)],
        funding=[FundingInput(source(county, source_name).pk, chosen.kind, requested)],
    )


def advance(application: Application, steps: list[tuple[object, str]], **kwargs) -> Application:
    for actor, action in steps:
        note = (
            "測試理由"
            if action in {"reject", "township_return", "return_to_township", "return_to_association"}
            else ""
        )
        application = services.application_transition(
            application_id=application.pk, action=action, actor=actor, note=note, **kwargs
        )
    return application


def to_review(application: Application, clerk, officer) -> Application:
    return advance(application, [(clerk, "submit"), (clerk, "forward"), (officer, "start_review")])


__all__ = ["FUND", "MINISTRY", "YEAR", "ExpenseKind", "advance", "configure", "draft", "to_review"]


def probe_rows(association) -> dict[str, object]:
    """An application and an attachment row of `association`, for the scope probes."""
    from subsidies.models import Application, Attachment

    county = association.township.county
    services.configuration_ensure(county=county, year=YEAR)
    number = Application.objects.filter(county=county, year=YEAR).count() + 1
    application = Application.objects.create(
        county=county,
        association=association,
        year=YEAR,
        number=number,
        case_number=f"115-{association.township.name}-{number:03d}",
        item=item(county),
        title=f"{association.name}活動",
        starts_on=datetime.date(YEAR, 3, 1),
        ends_on=datetime.date(YEAR, 9, 1),
    )
    attachment = Attachment.objects.create(
        application=application,
        kind="plan",
        file="subsidies/probe.pdf",
        original_name="計畫書.pdf",
        content_type="application/pdf",
        size=5,
    )
    from subsidies.models import Batch, Transition

    batch = Batch.objects.create(county=county, kind=Batch.Kind.TO_COUNTY, year=YEAR)
    Transition.objects.create(
        application=application, action="forward", to_state="township_forwarded", batch=batch
    )
    return {
        "application": application,
        "attachment": attachment,
        "batch": batch,
        "source": source(county),
        "item": item(county),
    }
