"""Vietnamese alphabetical order: letters with their shapes first, tones only between words
that are otherwise the same."""
import random

from tinnhiem.platform.collation import sort_key


def test_the_alphabet_and_the_tones_sort_as_in_a_vietnamese_dictionary():
    expected = ["a", "an", "an bình", "anh", "ăn", "ân", "ấn", "ẩn chưa", "b", "d", "dương",
                "đ", "đàn", "đặng", "e", "ê", "i", "ma", "mà", "mả", "mã", "má", "mạ", "o", "ô",
                "ơ", "u", "ư", "y", "zô"]
    shuffled = expected[:]
    random.Random(96).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == expected


def test_case_does_not_change_the_order():
    assert sort_key("Đặng Văn An") == sort_key("đặng văn an")
    assert sort_key("Ân") < sort_key("bình") < sort_key("Đào") < sort_key("Zô")


def test_composed_and_decomposed_input_give_the_same_key():
    import unicodedata

    name = "Nguyễn Thị Ánh Tuyết"
    assert sort_key(unicodedata.normalize("NFD", name)) == sort_key(name)


def test_the_unit_tree_lists_units_in_vietnamese_order(make, login):
    w = make.world()
    for name in ("Huyện ủy Lâm Thao", "Đảng ủy xã Ân Thi", "Đảng ủy Khối cơ quan", "Ban Dân vận"):
        make.unit(name, parent=w.province_a)
    page = login(w.admin_a).get("/units/").text
    positions = [page.index(name) for name in (
        "Ban Dân vận", "Đảng ủy Khối cơ quan", "Đảng ủy xã Ân Thi", "Huyện ủy Lâm Thao")]
    assert positions == sorted(positions)
