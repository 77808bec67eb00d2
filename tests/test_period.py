"""Year and period of an agreement: title forms, looptijd, signing date (pipeline/period.py)."""

from __future__ import annotations

import pytest

from pipeline.period import LOOPTIJD, NOWHERE, SIGNING_DATE, TITLE, Period, period_of
from pipeline.types import Block


@pytest.mark.parametrize("texts, period", [
    # the title names the year, in any of the genre's words
    (("Prestatieafspraken Aa en Hunze", "Richtingen voor de periode 2021 - 2025 Jaarafspraken voor 2021"),
     Period(2021, 2021, 2025, TITLE)),
    (("Prestatieafspraken 2022", "gemeente X"), Period(2022, None, None, TITLE)),
    (("Prestatieafspraken Aa en Hunze 2022", "gemeente X"), Period(2022, None, None, TITLE)),
    (("Prestatieafspraken gemeente Dijkveld 2026",), Period(2026, None, None, TITLE)),
    (("Gemeente Veenhoven", "Jaarschijf 2024", "Getekend op 11 december 2023"), Period(2024, None, None, TITLE)),
    (("Jaarafspraken wonen 2025",), Period(2025, None, None, TITLE)),
    (("Uitvoeringsafspraken 2025", "gemeente Lindewaard"), Period(2025, None, None, TITLE)),
    (("Uitvoeringsafspraken volkshuisvesting 2025",), Period(2025, None, None, TITLE)),
    (("Kaderafspraken 2023-2026 met jaarschijf 2024",), Period(2024, 2023, 2026, TITLE)),
    (("Kaderafspraken wonen 2023 t/m 2026", "Jaarschijf 2025"), Period(2025, 2023, 2026, TITLE)),
    # else the looptijd
    (("Afspraken over wonen", "Deze afspraken hebben een looptijd van 1 januari 2025 t/m 31 december 2025."),
     Period(2025, None, None, LOOPTIJD)),
    (("Woonafspraken", "De afspraken gelden van 1 januari 2025 tot 1 januari 2026."), Period(2025, None, None, LOOPTIJD)),
    # else the signing date, for the year after when signed in the last quarter
    (("Afspraken", "Getekend te Veenhoven op 11 december 2023."), Period(2024, None, None, SIGNING_DATE)),
    (("Afspraken", "Datum: 12 december 2023"), Period(2024, None, None, SIGNING_DATE)),
    (("Afspraken", "Ondertekend op 3 maart 2024 te Lindewaard."), Period(2024, None, None, SIGNING_DATE)),
    # a multi-year agreement: its period, and the year its signing date gives, else its first year
    (("Prestatieafspraken 2021-2025", "Ondertekend op 7 december 2020 te Gieten."),
     Period(2021, 2021, 2025, SIGNING_DATE)),
    (("Prestatieafspraken Dijkveld 2021-2025",), Period(2021, 2021, 2025, TITLE)),
    (("Prestatieafspraken", "De looptijd is van 1 januari 2024 tot en met 31 december 2027."),
     Period(2024, 2024, 2027, LOOPTIJD)),
    # no year at all; a sentence on the title page is no title
    (("Afspraken", "Geen jaartal"), Period(None)),
    (("Afspraken", "De afspraken in dit document gelden in beginsel tot 2030 en worden jaarlijks bekeken."),
     Period(None, None, None, NOWHERE)),
])
def test_period(texts, period):
    assert period_of([Block(text) for text in texts]) == period
