import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.roles import Role
from core.text import normalize_place

# --- Geography -------------------------------------------------------------------------------------------


class County(models.Model):
    name = models.CharField(_("縣市"), max_length=10, unique=True)

    class Meta:
        verbose_name = _("縣市")
        verbose_name_plural = _("縣市")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceRegion(models.Model):
    """A county's grouping of townships for field work (苗栗: 竹南區, 苗栗區, 通苑區, 頭份區, 獅潭區)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="service_regions")
    name = models.CharField(_("服務區"), max_length=20)

    class Meta:
        verbose_name = _("服務區")
        verbose_name_plural = _("服務區")
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="service_region_unique_per_county")
        ]

    def __str__(self) -> str:
        return self.name


class TownshipQuerySet(models.QuerySet["Township"]):
    def lookup(self, name: str, *, county: str | None = None) -> "Township | None":
        """Find a township as spreadsheets and people write it: 台 or 臺, with or without its suffix, and
        optionally prefixed by its county (苗栗縣竹南鎮). A name two counties share matches nothing unless
        `county` (or the prefix) says which: lookups fail closed."""
        wanted = normalize_place(name)
        if not wanted:
            return None
        qs = self.select_related("county")
        if county:
            qs = qs.filter(county__name=normalize_place(county))
        matches = [
            township
            for township in qs
            if wanted in township.names() or wanted in {township.county.name + n for n in township.names()}
        ]
        return matches[0] if len(matches) == 1 else None


class Township(models.Model):
    class Kind(models.TextChoices):
        RURAL = "鄉", _("鄉")
        URBAN = "鎮", _("鎮")
        CITY = "市", _("市")
        DISTRICT = "區", _("區")

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="townships", verbose_name=_("縣市")
    )
    name = models.CharField(_("鄉鎮市區"), max_length=10)
    kind = models.CharField(_("類型"), max_length=1, choices=Kind.choices)
    service_region = models.ForeignKey(
        ServiceRegion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="townships",
        verbose_name=_("服務區"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = TownshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("鄉鎮市區")
        verbose_name_plural = _("鄉鎮市區")
        ordering = ["county__name", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="township_unique_per_county")]

    def __str__(self) -> str:
        return self.name

    @property
    def short_name(self) -> str:
        """竹南鎮 → 竹南; a two-character name such as 東勢 keeps no suffix to drop."""
        if len(self.name) > 2 and self.name.endswith(self.kind):
            return self.name[:-1]
        return self.name

    def names(self) -> set[str]:
        return {self.name, self.short_name}


class Village(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "村", _("村")
        NEIGHBOURHOOD = "里", _("里")

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="villages")
    name = models.CharField(_("村里"), max_length=20)
    kind = models.CharField(_("類型"), max_length=1, choices=Kind.choices)

    class Meta:
        verbose_name = _("村里")
        verbose_name_plural = _("村里")
        ordering = ["township", "name"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="village_unique_per_township")
        ]

    def __str__(self) -> str:
        return self.name


# --- Associations ----------------------------------------------------------------------------------------


class AssociationQuerySet(models.QuerySet["Association"]):
    def visible_to(self, user: object) -> "AssociationQuerySet":
        """The rows `user` may see. Decided in `associations.access`; anything unknown sees nothing."""
        from associations.access import scope_associations

        return scope_associations(self, user)

    def active(self) -> "AssociationQuerySet":
        return self.exclude(status=Association.Status.DISSOLVED)

    def with_current_chair(self, on: datetime.date | None = None) -> "AssociationQuerySet":
        """Annotate `current_chair_name` in the same query, so lists stay at a fixed query count."""
        chairs = (
            Officer.objects.current(on)
            .filter(association=OuterRef("pk"), position=Officer.Position.CHAIR)
            .order_by(F("term_start").desc(nulls_last=True), "-pk")
        )
        return self.annotate(current_chair_name=Subquery(chairs.values("name")[:1]))


class Association(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("運作中")
        REORGANISING = "reorganising", _("限期整理中")
        DISSOLVED = "dissolved", _("已解散")

    name = models.CharField(_("協會名稱"), max_length=100)
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="associations", verbose_name=_("鄉鎮市區")
    )
    villages = models.ManyToManyField(
        Village, blank=True, related_name="associations", verbose_name=_("涵蓋村里")
    )
    registration_number = models.CharField(
        _("立案字號"), max_length=60, blank=True, help_text=_("可留空；實際名冊常有空白或重複的字號。")
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    term_number = models.PositiveSmallIntegerField(_("屆期"), null=True, blank=True)
    address = models.CharField(_("會址"), max_length=200, blank=True)
    phone = models.CharField(_("聯絡電話"), max_length=50, blank=True)
    email = models.EmailField(_("電子郵件"), blank=True)
    member_count = models.PositiveIntegerField(_("會員人數"), null=True, blank=True)
    status = models.CharField(
        _("狀態"), max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    local_features = models.TextField(_("社區特色（人文地產景）"), blank=True)
    runs_care_station = models.BooleanField(_("設有社區照顧關懷據點"), default=False)
    notes = models.TextField(_("備註"), blank=True)
    created_at = models.DateTimeField(_("建立時間"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新時間"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[villages], verbose_name=_("協會異動紀錄"))
    objects = AssociationQuerySet.as_manager()

    class Meta:
        verbose_name = _("社區發展協會")
        verbose_name_plural = _("社區發展協會")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="association_unique_name_per_township"),
        ]
        indexes = [models.Index(fields=["township", "status"], name="association_township_status")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("associations:detail", args=[self.pk])


class OfficerQuerySet(models.QuerySet["Officer"]):
    def current(self, on: datetime.date | None = None) -> "OfficerQuerySet":
        """Officers whose term covers `on` (today by default); an open start or end counts as covering."""
        on = on or timezone.localdate()
        return self.filter(
            Q(term_start__isnull=True) | Q(term_start__lte=on),
            Q(term_end__isnull=True) | Q(term_end__gte=on),
        )


class Officer(models.Model):
    class Position(models.TextChoices):
        CHAIR = "chair", _("理事長")
        EXECUTIVE_SECRETARY = "executive_secretary", _("總幹事")
        STANDING_DIRECTOR = "standing_director", _("常務理事")
        DIRECTOR = "director", _("理事")
        STANDING_SUPERVISOR = "standing_supervisor", _("常務監事")
        SUPERVISOR = "supervisor", _("監事")
        ALTERNATE_DIRECTOR = "alternate_director", _("候補理事")
        ALTERNATE_SUPERVISOR = "alternate_supervisor", _("候補監事")
        TEAM_LEADER = "team_leader", _("班隊隊長")

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="officers", verbose_name=_("協會")
    )
    position = models.CharField(_("職稱"), max_length=30, choices=Position.choices)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("聯絡電話"), max_length=50, blank=True)
    term_start = models.DateField(_("任期起日"), null=True, blank=True)
    term_end = models.DateField(_("任期迄日"), null=True, blank=True)
    note = models.CharField(_("備註"), max_length=100, blank=True, help_text=_("例如：補選、代理。"))

    history = HistoricalRecords(verbose_name=_("幹部異動紀錄"))
    objects = OfficerQuerySet.as_manager()

    # Position order for display: chair first, team leaders last.
    POSITION_ORDER = {value: index for index, value in enumerate(Position.values)}

    class Meta:
        verbose_name = _("幹部")
        verbose_name_plural = _("幹部")
        ordering = ["association", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_start__isnull=True)
                | Q(term_end__isnull=True)
                | Q(term_end__gte=F("term_start")),
                name="officer_term_ends_after_it_starts",
                violation_error_message=_("任期迄日不可早於任期起日。"),
            ),
        ]
        indexes = [models.Index(fields=["association", "position"], name="officer_association_position")]

    def __str__(self) -> str:
        return f"{self.get_position_display()} {self.name}"

    def get_absolute_url(self) -> str:
        return self.association.get_absolute_url()

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (self.term_start is None or self.term_start <= on) and (
            self.term_end is None or self.term_end >= on
        )


# --- Staff -----------------------------------------------------------------------------------------------


class StaffMembership(models.Model):
    """A portal user's role, and for township staff the one township they serve."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("使用者"),
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所屬公所"),
    )

    class Meta:
        verbose_name = _("人員角色")
        verbose_name_plural = _("人員角色")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.TOWNSHIP) & Q(township__isnull=False))
                | (~Q(role=Role.TOWNSHIP) & Q(township__isnull=True)),
                name="membership_township_iff_township_role",
                violation_error_message=_("公所承辦人必須指定一個鄉鎮市區，其他角色不可指定。"),
            ),
        ]

    def __str__(self) -> str:
        suffix = f"（{self.township}）" if self.township_id else ""
        return f"{self.user} - {self.get_role_display()}{suffix}"
