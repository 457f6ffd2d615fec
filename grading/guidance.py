"""The guidance strategy for each tier (seed 001, 雲林 111年: 停滯型應著重於健全社區組織，正常開會；潛力型應
著重於培養社區志工，執行長期方案；發展型社區應著重於社區永續經營; and docs/domain.md, "Tiering")."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from grading.models import Tier


@dataclass(frozen=True)
class Strategy:
    tier: Tier
    focus: str
    actions: tuple[str, ...]


STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        Tier.STAGNANT,
        _("健全社區組織，正常開會"),
        (
            _("輔導依限召開會員大會及理監事會，會議紀錄於會後 30 日內送府"),
            _("任期屆滿者輔導依限改選；必要時限期改選或限期整理"),
            _("輔導工作計畫、預算、工作報告及決算依限送府"),
            _("公所與培力育成中心實地訪視，重建組織運作"),
        ),
    ),
    Strategy(
        Tier.POTENTIAL,
        _("培養社區志工，執行長期方案"),
        (
            _("招募及培訓社區志工，成立志工隊"),
            _("輔導設立社區照顧關懷據點或其他長期、經常性的服務方案"),
            _("參加培力育成中心的課程與工作坊，提升方案規劃及執行能力"),
        ),
    ),
    Strategy(
        Tier.DEVELOPING,
        _("社區永續經營"),
        (
            _("擔任旗艦計畫領航社區，帶領鄰近社區（大手牽小手）"),
            _("鼓勵參加金卓越社區選拔，作為標竿觀摩對象"),
            _("發展社區產業與自主財源，提高自籌比例"),
        ),
    ),
)
