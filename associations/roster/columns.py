"""The roster's columns: the headers an import recognises for each key and the ones the export writes
(`associations.exports`), so that a roster exported and imported back reads every row unchanged."""

from __future__ import annotations

from associations.models import Association, Officer

KIND = "associations.roster"

#: Our key -> the headers a roster may use for it. The first header is the one exports write.
COLUMNS: dict[str, tuple[str, ...]] = {
    "township": ("鄉鎮市區", "鄉鎮市", "行政區", "鄉鎮", "鄉鎮別", "鄉鎮市別", "鄉鎮市區別"),
    "name": ("協會名稱", "名稱", "團體名稱", "機構名稱", "社區發展協會名稱", "社區發展協會"),
    "villages": ("村里", "里別", "村里別", "社區範圍", "涵蓋村里"),
    "chair": ("理事長", "理事長姓名"),
    "secretary": ("總幹事", "總幹事姓名"),
    "phone": ("電話", "聯絡電話"),
    "address": ("地址", "會址", "會址地址"),
    "founded_on": ("成立日期", "立案日期"),
    "registration_number": ("立案字號", "立案證書字號"),
    "term_number": ("屆期", "屆次"),
    "member_count": ("會員人數", "會員數"),
    "email": ("電子郵件", "Email", "E-mail", "電子信箱"),
    "status": ("狀態", "協會狀態", "運作狀態"),
    "dissolved_on": ("解散日期",),
}
REQUIRED = COLUMNS["name"]
#: Association fields a roster may set, in report order.
FIELDS = (
    "registration_number",
    "founded_on",
    "term_number",
    "address",
    "phone",
    "email",
    "member_count",
    "status",
    "dissolved_on",
)
POSITIONS = {"chair": Officer.Position.CHAIR, "secretary": Officer.Position.EXECUTIVE_SECRETARY}

#: The columns the export writes, in order, under the first header the import recognises for each.
EXPORT_ORDER = (
    "township",
    "name",
    "villages",
    "chair",
    "secretary",
    "phone",
    "address",
    "founded_on",
    "registration_number",
    "term_number",
    "member_count",
    "email",
    "status",
    "dissolved_on",
)
HEADERS = [COLUMNS[key][0] for key in EXPORT_ORDER]


def status_labels() -> dict[str, str]:
    """The status as the roster writes it (運作中, 限期整理中, 已解散) -> the stored choice; the import also
    takes the stored value itself (active, reorganising, dissolved)."""
    labels = {str(label): value for value, label in Association.Status.choices}
    return labels | {value: value for value in Association.Status.values}


def status_cell(status: str) -> str:
    """The inverse of `status_labels`, for exports."""
    return str(Association.Status(status).label)


def officer_cell(name: str, note: str) -> str:
    """The inverse of `split_note`, for exports."""
    return f"{name}({note})" if note else name
