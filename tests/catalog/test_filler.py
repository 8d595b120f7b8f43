"""Search behaviours for chatty questions: filler words, "mất" meaning died, ages, default case, aliases in phrases."""

import pytest

from bot.catalog import load_catalog


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def top(cat, query):
    hits = cat.search(query, limit=5)
    return hits[0].code if hits else None


def test_filler_about_the_asker_does_not_dilute_the_procedure(cat):
    # Relatives, "mới", "gia đình" tell the situation; the question is judged on "khai tử".
    hits = cat.search("Ông nội em mới mất, gia đình làm khai tử thế nào ạ", limit=5)
    assert hits and hits[0].code == "1.000656"
    assert cat.ambiguous(hits) == []


def test_filler_words_are_not_terms_but_name_words_from_aliases_are(cat):
    idx = cat.index
    toks, _, _, filler = idx._rewrite("bố mẹ em muốn đăng ký tạm trú")
    assert [toks[i][1] for i in sorted(filler)] == ["bố", "mẹ"]
    # "cha mẹ" produced by an alias (nhận cha cho con) is part of a procedure name, never filler.
    toks, _, _, filler = idx._rewrite("thu tuc nhan cha con")
    assert not any(toks[i][0] in {"cha", "me"} for i in filler)


def test_unaccented_single_syllables_are_not_filler(cat):
    # "dang" may be "đăng" (ký), "tinh" may be "tỉnh": only accented "đang"/"tính" are filler.
    _, _, _, filler = cat.index._rewrite("dang ky hoa don dien tu")
    assert filler == set()
    _, _, _, filler = cat.index._rewrite("đang đăng ký")
    assert filler == {0}


def test_mat_means_died_only_about_a_death(cat):
    idx = cat.index
    toks, _, _, filler = idx._rewrite("bố em mới mất, làm khai tử")
    assert any(toks[i][1] == "mất" for i in filler)
    toks, _, _, filler = idx._rewrite("mất giấy chứng tử xin lại")  # lost, a document follows
    assert not any(toks[i][0] == "mat" for i in filler)
    toks, _, _, filler = idx._rewrite("bị mất căn cước làm lại")  # no death: lost
    assert not any(toks[i][0] == "mat" for i in filler)


def test_measures_are_filler(cat):
    assert top(cat, "Hộ kinh doanh muốn tạm nghỉ 3 tháng thì thông báo thế nào") == "1.001570"
    toks, _, _, filler = cat.index._rewrite("xây nhà 3 tầng")
    assert {toks[i][0] for i in filler} >= {"3", "tang"}


def test_ages_map_to_the_brackets_names_use(cat):
    # "5 tuổi" is under the 6/14 brackets of names; "70 tuổi" is above all of them: only filler.
    assert top(cat, "Làm căn cước cho bé 5 tuổi thì cần chuẩn bị giấy tờ gì") in {"1.014062", "1.012549"}
    toks, _, _, filler = cat.index._rewrite("bà ngoại 70 tuổi")
    assert "70" not in {t[0] for i, t in enumerate(toks) if i not in filler}


def test_question_naming_the_default_case_gets_it(cat):
    assert top(cat, "con em du 14 tuoi roi, lam cccd lan dau o dau a") in {"1.014061", "2.000200"}
    assert top(cat, "lam cccd lan dau cho con du 14 tuoi") in {"1.014061", "2.000200"}
    assert top(cat, "làm căn cước cho con") in {"1.014062", "1.012549"}  # saying neither: child by alias


def test_unasked_foreign_variant_is_not_a_close_alternative(cat):
    hits = cat.search("Giấy khai sinh của con ghi sai tên đệm, muốn sửa lại thì làm sao?", limit=5)
    assert hits[0].code == "1.004859" and cat.ambiguous(hits) == []
    assert top(cat, "khai sinh có yếu tố nước ngoài") == "2.000528"


def test_alias_output_does_not_repeat_the_typed_word(cat):
    # "đất thổ cư" -> "đất ở", not "đất đất ở", so "đất vườn lên đất ở" still applies.
    toks, codes, _ = cat.index.rewrite("chuyển đất vườn lên đất thổ cư")
    folded = [t[0] for t in toks]
    assert all(a != b for a, b in zip(folded, folded[1:]))
    assert "1.013949" in codes


def test_words_containing_an_alias_word_are_shielded(cat):
    # "kiện" (sue) -> khiếu nại must not split "điều kiện".
    toks, _, _ = cat.index.rewrite("điều kiện đăng ký tạm trú")
    assert "khieu" not in [t[0] for t in toks]
    assert top(cat, "điều kiện đăng ký tạm trú") == "1.004194"
    assert top(cat, "đăng ký mua nhà ở xã hội cần điều kiện gì") == "1.014632"


@pytest.mark.parametrize("query", ["gia đình em dạo này khỏe không", "ông nội em hôm qua đi chơi"])
def test_filler_alone_is_not_a_procedure(cat, query):
    assert cat.search(query) == []
