"""The anonymisation check: what in a public answer may still name a person."""

from portal.legal import anonymise
from tests.factories import id_number


def kinds(text: str, names=()) -> list[tuple[str, str]]:
    return [(flag.kind, flag.text) for flag in anonymise.check_text(text, "answer", names)]


def test_a_mobile_number_is_caught_however_it_is_written():
    assert kinds("请打13812345678联系") == [("phone", "13812345678")]
    assert kinds("电话 138 1234 5678。") == [("phone", "138 1234 5678")]
    assert kinds("电话138-1234-5678") == [("phone", "138-1234-5678")]
    assert kinds("电话１３８１２３４５６７８") == [("phone", "13812345678")]


def test_a_landline_number_is_caught():
    assert kinds("拨打0755-88881234咨询") == [("landline", "0755-88881234")]
    assert kinds("拨打(010)12345678") == [("landline", "(010)12345678")]


def test_an_id_number_is_caught_and_a_look_alike_too():
    number = id_number()
    assert kinds(f"身份证号{number}。") == [("id_number", number)]
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert kinds(f"身份证号{wrong}") == [("id_like", wrong)]
    # Its digits are not read as a mobile number as well.
    assert [kind for kind, _ in kinds(f"号码{number[:6]}13812345678{number[-1]}")] == ["id_like"]


def test_the_names_given_are_caught_and_a_given_name_alone_too():
    names = ["李大伟", "王小明"]
    assert kinds("李大伟是房东，小明是租客", names) == [("name", "李大伟"), ("name", "小明")]
    assert kinds("房东不退押金", names) == []


def test_a_surname_alone_and_ordinary_numbers_are_not_flagged():
    assert kinds("押金3000元，合同期12个月，第七百零三条", ["王"]) == []
    assert kinds("2026年11月24日") == []


def test_both_fields_are_checked_and_say_which():
    flags = anonymise.check("李大伟不退押金", "请致电13812345678", ["李大伟"])
    assert [flag.as_dict() for flag in flags] == [
        {"kind": "name", "text": "李大伟", "field": "question"},
        {"kind": "phone", "text": "13812345678", "field": "answer"},
    ]
