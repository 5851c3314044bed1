"""What a verification page may show of a person: masked names, never a whole ID or phone."""

from __future__ import annotations

import pytest

from portal.verification.facts import check_facts, mask_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("张三丰", "张*丰"), ("欧阳娜娜", "欧**娜"), ("王", "王"),
     (" John Smith ", "J. S."), ("", "")],
)  # fmt: skip
def test_a_name_keeps_its_first_character(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    "facts",
    [{"id": "11010519491231002X"}, {"id": "11010519491231002x"}, {"id": "110105491231002"},
     {"phone": "13800138000"}, {"phone": "138 0013 8000"}, {"phone": "138-0013-8000"}, {"phone": "１３８００１３８０００"},
     {"text": "持证人身份证号110105194912310021，请核对"}, {"nested": [{"deep": ["13912345678"]}]},
     {"number": 13800138000}],
)  # fmt: skip
def test_a_whole_id_or_phone_number_is_refused(facts):
    with pytest.raises(ValueError, match="mask it"):
        check_facts(facts)


def test_masked_numbers_dates_and_counts_pass():
    check_facts(
        {
            "volunteer": "张*丰",
            "id": "4401**********1234",
            "phone": "138****5678",
            "period": "2026-01-01 – 2026-11-30",
            "hours": 120,
            "file": "档案 2026-0042",
            "missing": None,
        }
    )
