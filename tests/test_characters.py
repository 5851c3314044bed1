"""The one rule for characters nobody types."""

import pytest

from portal.characters import has_control_characters, strip_control_characters


@pytest.mark.parametrize("text", ["\x00", "a\x1bb", "\x7f", "\x85", "\ud800", "line\nbreak", "\t"])
def test_control_characters_are_found_in_one_line(text):
    assert has_control_characters(text)


@pytest.mark.parametrize("text", ["楼道\r\n堆物\t多", "", "普通文字 plain text", "\u3000全角空格"])
def test_line_breaks_and_tabs_are_text_in_several_lines(text):
    assert not has_control_characters(text, multiline=True)


def test_machines_have_them_stripped():
    assert strip_control_characters("off\x00\x1b[0m\ud800") == "off[0m"
    assert strip_control_characters("a\r\nb\x00", multiline=True) == "a\r\nb"
