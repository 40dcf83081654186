"""The modules' words every page, report and command shows: one table each, in the metric's order."""

from __future__ import annotations

from bng.metric import MODULE_NAMES, MODULES, SIZE_NAMES, SIZE_UNITS, UNIT_HEADINGS, UNIT_NAMES


def test_every_table_names_each_module_in_the_metrics_order() -> None:
    for table in (MODULE_NAMES, UNIT_NAMES, UNIT_HEADINGS, SIZE_UNITS, SIZE_NAMES):
        assert tuple(table) == tuple(MODULES)


def test_the_pages_words_for_the_modules() -> None:
    assert dict(UNIT_HEADINGS) == {
        "area": "Habitat units",
        "hedgerow": "Hedgerow units",
        "watercourse": "Watercourse units",
    }
    assert dict(UNIT_NAMES) == {
        "area": "habitat units",
        "hedgerow": "hedgerow units",
        "watercourse": "watercourse units",
    }
    assert dict(SIZE_NAMES) == {"area": "hectares", "hedgerow": "kilometres", "watercourse": "kilometres"}
    assert dict(SIZE_UNITS) == {"area": "ha", "hedgerow": "km", "watercourse": "km"}
