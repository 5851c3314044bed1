"""Which language's text a reader gets."""

from types import SimpleNamespace

from portal.i18n import CHINESE, ENGLISH, name_in, text_in


def test_an_english_reader_gets_the_english_name_and_the_chinese_one_when_there_is_none():
    named = SimpleNamespace(name_zh="塘尾社区", name_en="Tangwei Community")
    unnamed = SimpleNamespace(name_zh="塘尾社区", name_en="")
    assert name_in(named, ENGLISH) == "Tangwei Community"
    assert name_in(unnamed, ENGLISH) == "塘尾社区"
    assert name_in(named, CHINESE) == "塘尾社区"
    assert text_in(ENGLISH, "楼道灯不亮", "") == "楼道灯不亮"
    assert text_in(CHINESE, "楼道灯不亮", "Stair light out") == "楼道灯不亮"
