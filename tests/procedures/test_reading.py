"""One reading of a message (bot.understanding.read) on the real shipped catalog: every verdict kind, topics
apart from procedure words, honesty about procedures the catalog does not hold, near-identical records."""

from __future__ import annotations

import pytest

from bot.understanding import ANSWER, CHOOSE, FOLLOW_UP, NO_PROCEDURE, NOT_IN_CATALOG, read
from bot.understanding.reading import is_payload, names_a_grievance_procedure
from bot.understanding.topics import find_cues, topics_from_cues, without_guide_words


@pytest.mark.parametrize(
    "text,code",
    [
        ("làm giấy khai sinh cần giấy tờ gì", "1.001193"),
        ("dang ky tam tru o dau", "1.004194"),
        ("cấp đổi cccd mất bao lâu", "1.014063"),
        ("thu tuc xoa dang ky thuong tru", "1.003197"),
        # Asking a lost licence back ("xin lại", "làm lại") is its re-issue, not its first issue.
        ("chứng chỉ môi giới bđs bị cháy mất thì xin lại thế nào", "1.012910"),
        ("xin lai giay phep lai xe bi mat", "3.000348"),
    ],
)
def test_clear_winner_without_context(catalog, text, code):
    r = read(catalog, text)
    assert (r.verdict, r.code) == (ANSWER, code)


@pytest.mark.parametrize(
    "text,topic",
    [
        # Bare names are the overview: the words of a name are not topic evidence.
        ("xóa hộ khẩu thường trú", "overview"),
        ("tách hộ khẩu", "overview"),
        ("xin giấy xác nhận cư trú", "overview"),
        ("làm sổ đỏ lần đầu", "overview"),
        ("đóng cửa hộ kinh doanh", "overview"),
        # "tư pháp" names the procedure; "cần gì" asks for the documents.
        ("ly lich tu phap so 1 can gi", "documents"),
        ("đăng ký tạm trú nộp ở đâu", "agency"),
        ("cấp lại căn cước mất bao lâu", "processing_time"),
        ("đăng ký kết hôn theo nghị định nào", "legal_basis"),
        ("làm hộ chiếu online được không", "online"),
        # Where to file said as a choice between two places; how long a result stays valid.
        ("chứng thực chữ ký trên giấy ủy quyền thì ra xã hay ra phòng công chứng", "agency"),
        ("muốn đăng ký kết hôn thì lên xã hay lên phường", "agency"),
        ("giấy phép kinh doanh karaoke có thời hạn không hay dùng mãi", "result"),
        # A reduced fee is asked about the fee; "được giám định" typed without accents is not "được giảm".
        ("cấp đổi căn cước có được giảm không", "fee"),
        ("toi dang tai ngu, trong nguoi con sot manh dan chua duoc giam dinh, muon giam dinh bo sung", "overview"),
        # Filing so many days ahead is the applicant's deadline, not the processing time.
        ("xin phép bay flycam phải nộp đơn trước bao nhiêu ngày", "deadline"),
        # "… có kết quả" after a time word asks when, not also what is issued.
        ("đăng ký thường trú mất bao lâu thì có kết quả", "processing_time"),
        ("giấy xác nhận tình trạng hôn nhân có thời hạn bao lâu", "result"),  # how long the paper is valid
        ("đăng ký tạm trú xong thì được nhận giấy gì", "result"),  # what is issued, not what to bring
        # Conditions named outright, with "how": the conditions (yes or no with "how": see below).
        ("làm căn cước cho bé 5 tuổi cần điều kiện gì, thủ tục thế nào", "conditions"),
    ],
)
def test_topic_comes_from_cues_not_from_procedure_words(catalog, text, topic):
    r = read(catalog, text)
    assert r.verdict == ANSWER
    assert r.topics == [topic]


def test_cue_inside_the_procedure_name_is_not_a_question():
    # "điều kiện" is part of a name here, asked once: no conditions question when the name explains it.
    cues = find_cues("giấy chứng nhận đủ điều kiện về an ninh trật tự")
    assert [c.topic for c in cues] == ["conditions"]
    from bot.understanding.reading import _topic_evidence

    name = "cap giay chung nhan du dieu kien ve an ninh trat tu".split()
    assert _topic_evidence(cues, name, "giấy chứng nhận đủ điều kiện về an ninh trật tự") == []


def test_cue_said_apart_from_the_name_still_asks(catalog):
    # The karaoke licence's name holds "đủ điều kiện kinh doanh"; "điều kiện phòng hát" asks its conditions.
    r = read(catalog, "điều kiện phòng hát là gì", current_code="1.001029")
    assert (r.verdict, r.code, r.topics) == (FOLLOW_UP, "1.001029", ["conditions"])
    assert read(catalog, "cấp giấy phép đủ điều kiện kinh doanh karaoke").topics == ["overview"]


def test_a_typed_code_asking_nothing_new_is_unsure_of_its_topic(catalog):
    # "còn 1.001612 thì sao" after a fee answer: the topic is carried over by the action (confidence below 1).
    r = read(catalog, "Còn 1.001612 thì sao?", current_code="1.000656")
    assert (r.verdict, r.code, r.topics) == (ANSWER, "1.001612", ["overview"])
    assert r.topic_confidence < 1
    assert read(catalog, "thủ tục 1.004873 cần giấy tờ gì").topics == ["documents"]


def test_a_deadline_to_file_is_not_the_processing_time(catalog):
    r = read(catalog, "thời hạn nộp hồ sơ hưởng trợ cấp thất nghiệp là bao lâu sau khi nghỉ việc")
    assert r.topics[0] == "deadline"


def test_two_topics_in_one_message(catalog):
    r = read(catalog, "đăng ký khai sinh cần giấy tờ gì và mất mấy ngày")
    assert (r.verdict, r.code) == (ANSWER, "1.001193")
    assert r.topics == ["documents", "processing_time"]
    # A place asked as "phường nào".
    assert read(catalog, "làm giấy khai sinh cho con cần mang gì, làm ở phường nào").topics == ["documents", "agency"]


@pytest.mark.parametrize(
    "text,topics",
    [
        ("làm ở công an xã được ko", ["agency"]),
        ("Nộp ở UBND xã đúng không?", ["agency"]),
        ("hồ sơ trợ cấp nộp ở xã nơi cư trú phải không", ["agency"]),
        ("báo ở công an phường đc k", ["agency"]),
        ("nộp ở UBND xã hay phải lên tỉnh", ["agency"]),
        ("Cơ quan thực hiện?", ["agency"]),
        # Whether it can be done, not where: the place is not asked.
        ("người nước ngoài có được đăng ký không", ["conditions"]),
        # A word between the place and "được không" that could name a procedure ends the place question.
        ("xin cap lai o cuc xuat nhap canh duoc khong", ["conditions"]),
        ("nộp đơn khởi kiện qua mạng cho tòa án có được không", ["online"]),
    ],
)
def test_a_yes_no_question_about_a_place_asks_where(text, topics):
    assert topics_from_cues(find_cues(text)) == topics


def test_weak_cue_gives_way_to_a_strong_one():
    assert topics_from_cues(find_cues("lệ phí như thế nào")) == ["fee"]
    assert topics_from_cues(find_cues("làm như thế nào")) == ["overview"]  # how to get it done: the overview
    assert topics_from_cues(find_cues("trình tự như thế nào")) == ["steps"]
    # Yes or no with "how": how to get it done, then whether one can.
    assert topics_from_cues(find_cues("có được hưởng không, làm thế nào")) == ["overview", "conditions"]
    assert topics_from_cues(find_cues("có được hưởng không")) == ["conditions"]
    assert topics_from_cues(find_cues("khai sinh")) == ["overview"]


@pytest.mark.parametrize(
    "text",
    [
        "cấp chứng chỉ hành nghề y cần những gì",  # the catalog has "hành nghề thú y" only
        "hộ chiếu ngoại giao cần giấy tờ gì",  # the catalog has "hộ chiếu phổ thông" only
        "giấy chứng nhận đủ điều kiện kinh doanh dược cần gì",
    ],
)
def test_not_in_catalog_never_answers_a_look_alike(catalog, text):
    r = read(catalog, text)
    assert r.verdict == NOT_IN_CATALOG
    assert r.code is None and r.unexplained
    assert len(r.choices) <= 3


@pytest.mark.parametrize(
    "text,code",
    [
        # "lĩnh" and "ghi" are words of one record in ten's own text, not names of something the catalog lacks
        (
            "Tại sao tôi đang lĩnh trợ cấp thất nghiệp lại bị tạm dừng, những trường hợp nào thì bị tạm dừng?",
            "1.014750",
        ),
        ("lam xong giay xac nhan khuyet tat thi tren giay co ghi muc do nang hay dac biet nang ko", "1.001699"),
        # The name spells out what the question says ("cai nghiện [ma túy] tự nguyện", "tàu [thuyền]"): a word
        # inserted after the first asked word, as the names usually continue it, is not another procedure.
        ("cai nghiện tự nguyện đăng ký ở đâu, có mất tiền ko", "3.000527"),
        ("tau nuoc ngoai chuyen cang lam thu tuc bien phong thu cong can giay to gi", "1.013528"),
    ],
)
def test_ordinary_or_spelled_out_words_do_not_make_a_question_unknown(catalog, text, code):
    r = read(catalog, text)
    assert (r.verdict, r.code, r.unexplained) == (ANSWER, code, [])


def test_the_general_words_file_is_counted_from_the_shipped_catalog(catalog):
    from bot.understanding import general_words

    counted = general_words.count(catalog)
    assert general_words.GENERAL_WORDS_FILE.read_text(encoding="utf-8") == general_words.render(counted)
    assert {"ghi", "lĩnh", "bước", "được"} <= set(counted)
    assert not {"mai_táng", "karaoke", "thú_y", "dược"} & set(counted)
    assert general_words.is_general("duoc", "được") and not general_words.is_general("duoc", "dược")


def test_opposite_actions_are_not_offered_as_alternatives(catalog):
    r = read(catalog, "đăng ký hộ kinh doanh cần giấy tờ gì")
    offered = [c.code for c in r.choices] if r.verdict == CHOOSE else [r.code]
    assert "1.014035" not in offered  # "Dừng thực hiện thủ tục đăng ký hộ kinh doanh"
    assert "1.001612" in offered


def test_typed_procedure_code_is_read(catalog):
    r = read(catalog, "thủ tục 1.004873 cần giấy tờ gì")
    assert (r.verdict, r.code, r.topics) == (ANSWER, "1.004873", ["documents"])


@pytest.mark.parametrize(
    "text",
    [
        "còn lệ phí thì sao",
        "mất bao lâu",
        "cần mang gì",
        "online dc ko",
        "/ask_fee",
        "cái này mất bao lâu hả bạn",
        "nộp ở ubnd phường được không",
        "còn cấp lại thì sao",
    ],
)
def test_follow_ups_stay_on_current(catalog, text):
    r = read(catalog, text, "1.004194")
    assert (r.verdict, r.code) in {(FOLLOW_UP, "1.004194"), (ANSWER, "1.004194")}


def test_new_procedure_replaces_current(catalog):
    r = read(catalog, "đăng ký kết hôn lệ phí bao nhiêu", "1.001193")
    assert (r.verdict, r.code, r.topics) == (ANSWER, "1.000894", ["fee"])


def test_a_clearly_named_procedure_replaces_the_current_one(catalog):
    r = read(catalog, "khai sinh có yếu tố nước ngoài", "1.001193")
    assert (r.verdict, r.code) == (ANSWER, "2.000528")


def test_close_alternatives_are_offered_even_with_context(catalog, without_memory):
    # The names alone (earlier askers, who meant the household business, are left out: see test_memory.py).
    r = read(catalog, "tạm ngừng kinh doanh", "1.001193")
    assert r.verdict == CHOOSE
    assert {"2.002029", "1.001570"} <= {c.code for c in r.choices}


def test_near_identical_records_are_asked_about_when_the_message_says_neither(catalog, without_memory):
    r = read(catalog, "khiếu nại quyết định của bộ chỉ huy quân sự tỉnh gửi đơn ở đâu")
    assert r.verdict == CHOOSE
    assert {"1.013524", "1.013526"} <= {c.code for c in r.choices}


@pytest.mark.parametrize("text", ["thời tiết hôm nay thế nào", "nấu phở thế nào", "abc xyz"])
def test_nothing_found(catalog, text):
    r = read(catalog, text)
    assert r.verdict in (NOT_IN_CATALOG, NO_PROCEDURE) and r.code is None


def test_topic_only_without_context_asks_which(catalog):
    r = read(catalog, "lệ phí bao nhiêu")
    assert (r.verdict, r.topics) == (NO_PROCEDURE, ["fee"])


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "a" * 5000, "000.00.12.H29-261120-0001"])
def test_bad_input_reads_as_no_procedure_without_error(catalog, text):
    r = read(catalog, text)
    assert r.code is None and r.verdict in (NO_PROCEDURE, NOT_IN_CATALOG)


def test_candidates_carry_a_confidence(catalog):
    r = read(catalog, "đăng ký khai sinh")
    assert r.candidates and 0.0 <= r.candidates[-1].confidence <= r.candidates[0].confidence <= 1.0


def test_payload_and_guide_words():
    assert is_payload("/ask_fee") and not is_payload("phí bao nhiêu") and not is_payload(None)
    assert without_guide_words("hướng dẫn mình từng bước nộp online đăng ký khai sinh") == "đăng ký khai sinh"


def test_long_message_procedure_from_a_clause_topics_from_the_question(catalog):
    r = read(
        catalog,
        "Tôi đang ngồi với một cụ ông 80 tuổi ở phường, cụ nói nhà cụ có mảnh đất ông bà để lại từ "
        "trước năm 1980, đến giờ vẫn chưa có giấy tờ gì, nay con cháu muốn làm sổ đỏ lần đầu cho mảnh "
        "đất đó thì nộp hồ sơ ở đâu và mất bao lâu?",
    )
    assert (r.verdict, r.code) == (ANSWER, "1.013978")
    assert r.topics == ["agency", "processing_time"]  # "chưa có giấy tờ gì" is the story, not the question


def test_a_procedure_two_ministries_publish_is_offered_with_both(catalog):
    # Maternity benefit: Bộ Tài chính's record in the portal pages, Bộ Nội vụ's in the portal's current data.
    r = read(catalog, "hưởng chế độ thai sản cần giấy tờ gì")
    assert r.verdict == CHOOSE
    assert {c.code for c in r.choices} == {"2.000693", "1.014166"}
    assert r.topics == ["documents"]


@pytest.mark.parametrize(
    "text,expected",
    [
        # The in-person record scores best, the fully online ones are its variants: asked "online?", offer those.
        ("mới mua xe máy, đăng ký biển số làm online được không", {"1.013066", "1.012575"}),
        ("cấp lại đăng ký xe làm online được không", {"1.013080"}),  # "… trực tuyến toàn trình"
        ("đăng ký xe tạm thời online được không", {"1.013083"}),
    ],
)
def test_asked_online_the_online_variant_is_answered(catalog, text, expected):
    r = read(catalog, text)
    assert r.topics == ["online"]
    assert ({r.code} if r.verdict == ANSWER else {c.code for c in r.choices}) == expected


def test_not_asked_online_the_best_record_stays(catalog):
    r = read(catalog, "đăng ký xe máy mới cần giấy tờ gì")
    assert (r.verdict, r.code) == (ANSWER, "1.013067")
    guided = read(catalog, "đăng ký xe lần đầu", online=True)  # the guide wants to file online
    assert guided.verdict == CHOOSE and {c.code for c in guided.choices} == {"1.013066", "1.012575"}


def test_a_level_the_name_states_wins_over_the_inferred_one(catalog):
    from bot.catalog import render

    assert render.availability(catalog.get("1.013080")) == render.FULL  # "… dịch vụ công trực tuyến toàn trình"
    assert render.availability(catalog.get("1.013067")) == render.PARTIAL  # "… dịch vụ công một phần hoặc trực tiếp"


@pytest.mark.parametrize(
    "text,code",
    [
        ("hạn chót là bao nhiêu ngày phải đăng ký khai tử", "1.000656"),
        ("sinh con bao lâu phải đi làm giấy khai sinh", "1.001193"),
        ("han chot dang ky khai sinh cho con", "1.001193"),
    ],
)
def test_a_deadline_question_is_not_the_processing_time(catalog, text, code):
    r = read(catalog, text)
    assert (r.verdict, r.code, r.topics) == (ANSWER, code, ["deadline"])
    assert read(catalog, "khai tử mất mấy ngày").topics == ["processing_time"]


def test_every_topic_button_title_typed_is_that_topic_of_the_procedure_in_hand(catalog):
    from bot.catalog import render

    for topic, title in render.texts()["buttons"].items():
        if topic == "online_guide":
            continue
        r = read(catalog, title, "1.004194")
        assert (r.verdict, r.code, r.topics) == (FOLLOW_UP, "1.004194", [topic]), title


def test_an_alias_that_expands_does_not_make_a_follow_up_a_new_question(catalog):
    # "sang tên" expands to every way of transferring; the person still typed only a few words.
    r = read(catalog, "có hạn chót phải sang tên trong bao nhiêu ngày ko ạ, sợ bị phạt", current_code="1.013076")
    assert (r.verdict, r.code, r.topics[0]) == (FOLLOW_UP, "1.013076", "deadline")


def test_a_long_message_is_read_from_its_question_when_that_names_a_record(catalog):
    # The story around the question ("mất ví", "số định danh") must not pull the reading to another card procedure.
    text = (
        "Tổ tư vấn dịch vụ công phường xin hỏi: một cụ bà 76 tuổi đi chợ bị mất ví, trong đó có thẻ căn cước gắn "
        "chip. Cụ không nhớ số định danh, không dùng điện thoại thông minh. Cụ muốn làm lại thẻ căn cước thì cần "
        "chuẩn bị giấy tờ gì?"
    )
    r = read(catalog, text)
    assert (r.verdict, r.code, r.topics) == (ANSWER, "1.014064", ["documents"])


def test_question_words_do_not_name_and_one_common_word_is_no_match(catalog):
    # Searching the words that can name ("đăng ký khai sinh"), not the channel asked ("trên VNeID") ...
    r = read(catalog, "dân hỏi đăng ký khai sinh online trên VNeID có được không")
    assert "1.001193" in ({r.code} if r.verdict == ANSWER else {c.code for c in r.choices})
    # ... leaves "bác" alone in "bác cần chuẩn bị những giấy tờ gì": a kinship word, not "… bác ruột nhận cháu".
    assert catalog.search("bác") == []
    assert read(catalog, "Bác cần chuẩn bị những giấy tờ gì").verdict != ANSWER


@pytest.mark.parametrize(
    "text, code",
    [
        ("có người khác gọi hỏi đăng ký tạm trú cần giấy tờ gì", "1.004194"),
        ("có người khác gọi hỏi đăng ký khai tử cần giấy tờ gì", "1.000656"),
        ("ở nhờ nhà người quen thì sao", "1.004222"),  # a case of thường trú, not another procedure
        ("Hồ sơ cần chuẩn bị", "1.004222"),
    ],
)
def test_another_procedure_named_among_chat_switches(catalog, text, code):
    # On thường trú (a dossier in hand, say), a surely named other record is answered, even with a chatty lead-in.
    assert read(catalog, text, current_code="1.004222").code == code


@pytest.mark.parametrize(
    "text, topic",
    [
        ("giay xac nhan tinh trang hon nhan co gia tri bao lau vay a", "result"),
        ("đổi bằng lái xe sang thẻ PET hết bao tiền mn", "fee"),
        ("vậy ai có thẩm quyền xóa đăng ký thường trú ạ?", "agency"),
        ("làm hộ chiếu hết bao lâu", "processing_time"),
    ],
)
def test_more_ways_of_asking_a_topic(catalog, text, topic):
    assert read(catalog, text).topics[0] == topic


def test_words_that_carry_a_conversation_on_are_never_unexplained(catalog):
    # "thêm" (xin thêm bản sao) made the death extract look like a missing procedure, and the reading fell back
    # on the procedure in hand (a religious-activity record) instead.
    text = "Gia đình đó cũng cần xin thêm bản sao trích lục khai tử, hồ sơ gồm gì?"
    r = read(catalog, text, current_code="1.012592")
    assert (r.verdict, r.code, r.unexplained) == (ANSWER, "2.000635", [])


@pytest.mark.parametrize("text", ["bao lâu xong", "theo quy định thủ tục này giải quyết trong bao nhiêu ngày"])
def test_question_words_do_not_switch_away_from_the_procedure_in_hand(catalog, text):
    # "xong" and "theo quy định" name nothing ("chấp hành xong …", "… theo quy định của pháp luật" are in names).
    r = read(catalog, text, current_code="1.004222")
    assert (r.verdict, r.code, r.topics[0]) == (FOLLOW_UP, "1.004222", "processing_time")


# Questions that describe a case more than they name a record (from spent blind sets): the names leave them open,
# the records' texts have a clear winner among the names' first candidates.
@pytest.mark.parametrize(
    "text,code,topic",
    [
        ("Hồ sơ xin phép kinh doanh dịch vụ hát karaoke gồm những giấy tờ gì?", "1.001029", "documents"),
        ("Thương binh đang công tác trong quân đội cần cấp chân giả, xe lăn thì đề nghị thế nào?", "1.013185", None),
        ("Muốn tố cáo một sĩ quan thuộc Bộ Tư lệnh Cảnh sát biển thì gửi đơn ở đâu?", "1.013549", "agency"),
    ],
)
def test_a_described_case_is_answered_from_the_records_texts(catalog, text, code, topic):
    reading = read(catalog, text)
    assert (reading.verdict, reading.code) == (ANSWER, code)
    if topic:
        assert reading.topic == topic


def test_the_records_texts_never_pick_one_of_two_ministries_records(catalog):
    from bot.understanding.reading import _clear_winner, _fits_situation, _text_ranking

    text = (
        "Tôi đi làm công ty có đóng bảo hiểm xã hội, bị ốm phải nằm viện điều trị mười ngày, muốn hưởng chế độ "
        "ốm đau thì hồ sơ cần giấy ra viện và những giấy tờ gì nộp cho ai"
    )
    ranked = _text_ranking(catalog, text)
    winner = _clear_winner(ranked)
    assert winner and catalog.overlaps(winner)  # the texts do have a clear winner ...
    assert _fits_situation(catalog, ranked, []) is None  # ... but both ministries' records are offered


def test_the_records_texts_decide_only_a_clear_winner(catalog):
    from bot.understanding.reading import _clear_winner, _text_ranking

    # Short: too few words for the texts to be sure of anything.
    assert _clear_winner(_text_ranking(catalog, "thủ tục hành chính")) is None
    assert _clear_winner(_text_ranking(catalog, "")) is None


def test_a_story_is_not_answered_with_a_record_that_says_little_of_it(catalog):
    # A clause names one record ("giấy phép hộ kinh doanh"), the story is about another (food safety of a kitchen).
    story = (
        "Em kinh doanh nhà hàng lẩu, đã có giấy phép hộ kinh doanh rồi. Đoàn kiểm tra bảo phải có thêm giấy về vệ "
        "sinh an toàn cho khu bếp. Em phải làm hồ sơ gì và nộp cho ai?"
    )
    reading = read(catalog, story)
    assert reading.verdict == CHOOSE and reading.doubtful
    assert "1.013855" in [c.code for c in reading.choices]
    # The texts' clear winner is answered: a place in a social protection centre, not a care allowance.
    story = (
        "Dì tôi bị tâm thần, không có chồng con, gia đình không đủ sức chăm sóc. Muốn xin cho dì vào ở hẳn trong "
        "trung tâm bảo trợ xã hội của tỉnh thì làm hồ sơ gì?"
    )
    assert (read(catalog, story).verdict, read(catalog, story).code) == (ANSWER, "2.000286")


def test_short_questions_are_left_to_the_names(catalog):
    reading = read(catalog, "giấy phép xây dựng nhà ở riêng lẻ")
    assert (reading.verdict, reading.code) == (ANSWER, "1.013225")


@pytest.mark.parametrize(
    "text,current,verdict,code",
    [
        # An action the current record lacks names the same thing done otherwise.
        ("còn cấp đổi thì sao", "1.014064", ANSWER, "1.014063"),  # on cấp lại thẻ căn cước
        ("nếu bị mất thì cấp lại thế nào", "1.014063", ANSWER, "1.014064"),
        ("gia hạn thì cần gì", "1.004194", ANSWER, "1.002755"),  # on đăng ký tạm trú
        ("giấy xác nhận khuyết tật cũ bị rách thì đổi ở đâu ạ", "1.001699", ANSWER, "1.001653"),
        # An action the current record already does is a follow-up; pausing the guide acts on no procedure.
        ("đổi ở đâu", "1.014063", FOLLOW_UP, "1.014063"),
        ("Tạm dừng hướng dẫn, tôi cần hỏi thêm về lệ phí trước.", "1.000656", FOLLOW_UP, "1.000656"),
    ],
)
def test_another_action_on_the_same_thing_switches(catalog, text, current, verdict, code):
    reading = read(catalog, text, current_code=current)
    assert (reading.verdict, reading.code) == (verdict, code)


def test_stopping_what_is_being_registered_is_never_a_follow_up(catalog):
    reading = read(catalog, "thôi, tạm ngừng kinh doanh thì sao", current_code="1.001612")
    assert reading.verdict != FOLLOW_UP
    assert "1.001570" in [c.code for c in reading.choices] + [reading.code]  # tạm ngừng hộ kinh doanh


def test_a_record_only_the_texts_find_is_offered_not_answered(catalog, without_memory):
    # The texts alone; earlier askers of such questions settle it (test_memory.py).
    reading = read(catalog, "xuat ngu ve phai dang ky quan nhan du bi, mang theo giay gi len ban chqs xa")
    assert (reading.verdict, reading.doubtful, [c.code for c in reading.choices]) == (CHOOSE, True, ["1.013135"])


def test_a_word_only_another_record_says_offers_it_instead_of_keeping_the_current(catalog):
    # On a disability certificate, "mai táng" is in nothing that record says: the funeral-support records are
    # offered ("Có phải…?"), the certificate is not answered again.
    r = read(catalog, "Nếu cụ mất thì gia đình hoặc người lo mai táng được hỗ trợ chi phí không?", "1.001699")
    assert r.verdict == CHOOSE and r.doubtful and "1.014177" in [c.code for c in r.choices]
    # Ordinary words, offices and channels stay on the current record.
    for text, current in [
        ("nộp qua bưu điện được không", "1.004222"),
        ("Hồ sơ cần chuẩn bị", "1.004222"),
        ("nộp ở ubnd phường được không", "1.004194"),
        ("bé sinh ở bệnh viện thì cần gì", "1.001193"),
        ("bao nhieu ngay phai sang ten xong", "1.013076"),  # "sang tên" expands to "chuyển nhượng": not typed
    ]:
        assert (read(catalog, text, current).verdict, read(catalog, text, current).code) == (FOLLOW_UP, current)


def test_the_current_records_agency_named_is_a_follow_up(catalog):
    # The commune's military command handles the moved-in military-service registration; it is not the record
    # that sets such commands up.
    r = read(catalog, "Ban chỉ huy quân sự xã làm trong bao lâu?", "1.013137")
    assert (r.verdict, r.code, r.topics) == (FOLLOW_UP, "1.013137", ["processing_time"])


def test_a_fee_the_current_record_names_is_a_follow_up(catalog):
    # The karaoke licence's fee is a "phí thẩm định"; five other records are named after such a fee.
    r = read(catalog, "phí thẩm định bao nhiêu", "1.001029")
    assert (r.verdict, r.code, r.topics) == (FOLLOW_UP, "1.001029", ["fee"])


def test_the_time_limit_of_a_deadline_question_is_the_deadline(catalog):
    # "hết thời hạn tạm trú" says what runs out; the question is how many days ahead to file.
    r = read(catalog, "Người thuê trọ sắp hết thời hạn tạm trú đã đăng ký, phải làm gia hạn trước bao nhiêu ngày?")
    assert (r.code, r.topics) == ("1.002755", ["deadline"])


def test_legal_basis_asked_as_applicable_documents_is_a_follow_up(catalog):
    r = read(catalog, "Văn bản pháp lý áp dụng?", "2.001610")
    assert (r.verdict, r.code, r.topics) == (FOLLOW_UP, "2.001610", ["legal_basis"])


@pytest.mark.parametrize(
    "text,lacking",
    [
        ("em có việc làm mới rồi thì làm sao để chấm dứt hưởng trợ cấp thất nghiệp", "1.014748"),
        ("xin tam hoan nghia vu quan su de di hoc lam the nao", "1.013138"),
    ],
)
def test_stopping_or_postponing_is_not_answered_with_the_record_that_starts_it(catalog, text, lacking):
    r = read(catalog, text)
    assert r.verdict != ANSWER and r.code != lacking


def test_choices_put_first_what_the_question_or_the_conversation_points_to(catalog):
    # A question that picks none of the choices is answered about the first shown (actions/procedures.py).
    r = read(catalog, "mới mua xe máy honda, đăng ký biển số làm online được không ạ")
    assert r.verdict == CHOOSE and r.choices[0].code == "1.012575"  # made in Vietnam, not the imported one
    r = read(catalog, "con tôi sinh ở nước ngoài thì sao", "1.001193")
    assert r.verdict == CHOOSE and r.choices[0].code == "2.000528"  # khai sinh có yếu tố nước ngoài


def test_the_citizen_an_advisor_files_for_names_no_procedure(catalog):
    r = read(catalog, "Hướng dẫn tôi nộp hồ sơ trực tuyến cho công dân")
    assert r.verdict == NO_PROCEDURE


def test_a_situation_no_name_fits_is_offered_the_nearest_records_never_answered(catalog, without_memory):
    # Names find nothing and the texts have no clear winner: their first three are offered as the nearest records
    # (under "không có đúng thủ tục bạn hỏi"), instead of nothing to press. (Earlier askers of the same question
    # meant the animal quarantine; without them, the names and texts alone.)
    r = read(catalog, "hộ chăn nuôi hỏi chở lợn sang tỉnh khác bán có phải kiểm dịch không, xin ở đâu")
    assert r.verdict == NOT_IN_CATALOG and r.code is None
    assert any("kiểm dịch động vật" in c.name for c in r.choices)
    # Chat shares no rare words with any record: nothing is offered.
    for text in ("thời tiết hôm nay thế nào", "giá vàng hôm nay bao nhiêu"):
        r = read(catalog, text)
        assert (r.verdict, r.choices) == (NOT_IN_CATALOG, [])


def test_choices_add_the_record_the_texts_rank_first_when_the_names_missed_it(catalog):
    # The names offer the Vietnamese resident's extension; the texts place a foreigner's visit first.
    text = "Bạn trai em người Pháp sang chơi, visa sắp hết hạn, muốn ở thêm 1 tháng thì gia hạn tạm trú thế nào ạ?"
    r = read(catalog, text)
    assert r.verdict == CHOOSE and [c.code for c in r.choices][-1] == "1.003326"  # … cho người nước ngoài
    assert r.choices[0].code == "1.002755"  # what the names found stays first: the first shown is answered


@pytest.mark.parametrize(
    "text,code",
    [
        # The level quoted decides between the same name at two levels (the search ranked a third record first).
        ("Thu tuc Cap lai the bao hiem y te (thuc hien tai cap trung uong) gom nhung giay to gi?", "1.001327"),
        ("Hồ sơ Cấp lại thẻ bảo hiểm y tế (thực hiện tại cấp tỉnh) gồm những gì?", "1.001294"),
        # A qualifier the question rules out ("không phải giai đoạn chuyển tiếp").
        (
            "Thủ tục cấp mới giấy phép hành nghề khám bệnh, chữa bệnh (không phải giai đoạn chuyển tiếp) cần hồ sơ gì?",
            "1.013614",
        ),
        # A name that rules out what the question says: "(trừ … theo yêu cầu của nước nhập khẩu)".
        (
            "Hồ sơ cấp Giấy chứng nhận cơ sở an toàn dịch bệnh động vật theo yêu cầu của nước nhập khẩu gồm những gì?",
            "1.011472",
        ),
        # "cấp đặc biệt, cấp I, cấp II" quoted without the name's long bracket; gia hạn, not cấp mới.
        ("Gia hạn giấy phép xây dựng đối với công trình cấp đặc biệt, cấp I, cấp II: thời hạn?", "1.013233"),
        # "do Cục … thực hiện" is the frame of the question, not the "(thực hiện ở cấp tỉnh)" of a sibling.
        (
            "Thời hạn cấp tem AB cho công dân Việt Nam xuất cảnh sang Cộng hòa Cuba, Cộng hòa nhân dân Trung Hoa "
            "do Cục Quản lý xuất nhập cảnh thực hiện là bao lâu?",
            "1.014899",
        ),
    ],
)
def test_a_quoted_official_name_decides_between_near_identical_records(catalog, text, code):
    r = read(catalog, text)
    assert (r.verdict, r.code) == (ANSWER, code)


def test_a_quote_is_said_in_one_piece_and_short_names_are_left_to_the_search(catalog):
    from bot.understanding import formal

    name = catalog.get("1.013540")["name"]  # … vật liệu nổ công nghiệp lần đầu (đối với … dịch vụ nổ mìn)
    assert formal.said_in_one_piece("Hồ sơ thủ tục cấp Giấy phép sử dụng vật liệu nổ công nghiệp lần đầu", name)
    assert not formal.said_in_one_piece("công ty nổ mìn xin phép dùng vật liệu lần đầu, cần giấy phép gì", name)
    # "Thủ tục đăng ký kết hôn lưu động" is longer, but the plain record's short name is quoted whole.
    r = read(catalog, "Em muốn tìm hiểu về thủ tục đăng ký kết hôn, ad tư vấn giúp em với ạ")
    assert (r.verdict, r.code) == (ANSWER, "1.000894")


@pytest.mark.parametrize(
    "text,current,code",
    [
        ("lam can cuoc cho con 15 tuoi", None, "1.014061"),  # from 14 up, not the under-14 record
        ("làm căn cước cho trẻ dưới 14 tuổi cần những giấy tờ gì", None, "1.014062"),
        ("lam cccd cho con 14 tuoi thi ra dau lam", None, "1.014061"),
        # Said during a conversation about the other record: a switch, not a follow-up.
        ("thế còn thằng anh 16t thì sao", "1.014062", "1.014061"),
        ("cháu 10 tuổi thì sao", "1.014061", "1.014062"),
        # An age beside a record that sets none changes nothing; "2t" after no person is money.
        ("ông 85 tuổi muốn lập di chúc chứng thực ở xã", None, "2.001019"),
    ],
)
def test_a_stated_age_picks_the_record_whose_name_admits_it(catalog, text, current, code):
    r = read(catalog, text, current)
    assert (r.verdict, r.code) == (ANSWER, code)


def test_money_is_no_age():
    from bot.understanding.ages import stated_age

    assert stated_age("hết 2t") is None and stated_age("thằng anh 16t") == 16 and stated_age("dưới 14 tuổi") == 13


def test_unaccented_words_the_name_holds_only_apart_do_not_name_it(catalog, without_memory):
    # "phong hat" typed without diacritics: the karaoke licence's "phòng hát", which the texts hold together, not
    # "phóng xạ … hạt nhân" of a nuclear ship's record.
    r = read(catalog, "dieu kien phong hat ra sao", "1.001029")
    assert (r.verdict, r.code) == (FOLLOW_UP, "1.001029") and r.topics == ["conditions"]
    assert read(catalog, "dieu kien phong hat ra sao").code != "1.004050"


@pytest.mark.parametrize(
    "text, code",
    [
        # The stop is the person's story; getting the benefit back is "tiếp tục hưởng".
        ("bị tạm dừng trợ cấp thất nghiệp vì quên thông báo, giờ muốn hưởng tiếp thì làm gì", "1.014751"),
        ("thang truoc e quen di bao tim viec nen bi tam dung huong that nghiep, gio muon nhan tiep", "1.014751"),
        # Asked as such, the stop is the procedure; moving the benefit is not resuming it.
        ("tạm dừng hưởng trợ cấp thất nghiệp", "1.014750"),
        # Near-identical records: the message says one side of the difference (xuất / nhập cảnh, lần đầu / lần
        # hai, 12 / 03 tháng).
        ("tàu quân sự nước ngoài sửa chữa xong ở VN, rời đi thì thủ tục xuất cảnh thế nào", "1.013582"),
        ("khieu nai lan dau len Bo chi huy quan su tinh can nop nhung gi", "1.013524"),
        ("giay phep xuong tau thoi han 12 thang can nop gi", "1.013564"),
    ],
)
def test_the_words_said_decide_between_close_records(catalog, without_memory, text, code):
    reading = read(catalog, text)
    assert (reading.verdict, reading.code) == (ANSWER, code)


@pytest.mark.parametrize(
    "text, current, code",
    [
        ("thế còn bằng lái thì sao", "1.014064", "3.000348"),  # after cấp lại thẻ căn cước: cấp lại GPLX
        ("thế còn bằng lái thì sao", "1.004222", "3.000346"),  # after thường trú (no action): cấp GPLX
        ("còn cấp đổi thì sao", "1.014064", "1.014063"),  # an action of its own: that action
    ],
)
def test_another_thing_named_without_an_action_takes_the_current_records_action(catalog, text, current, code):
    reading = read(catalog, text, current)
    assert (reading.verdict, reading.code) == (ANSWER, code)


@pytest.mark.parametrize(
    "text, code",
    [
        # "hồ sơ" asks for documents, but inside an everyday name it names ("chuyển hồ sơ hưởng trợ cấp").
        ("bố em là thương binh, chuyển hộ khẩu vào Bình Dương thì chuyển hồ sơ hưởng trợ cấp ntn", "1.010827"),
        ("muon xin luat su mien phi cua nha nuoc thi den dau", "2.000829"),  # "miễn phí" asks the fee elsewhere
    ],
)
def test_question_words_inside_an_everyday_name_name_it(catalog, without_memory, text, code):
    reading = read(catalog, text)
    assert (reading.verdict, reading.code) == (ANSWER, code)


@pytest.mark.parametrize(
    "text,named",
    [
        ("khiếu nại lần hai lên quân khu", True),
        ("khiếu nại quyết định xử phạt của công an xã", True),
        ("Em muốn tố cáo sai phạm của một lãnh đạo cấp Quân khu, thủ tục giải quyết tố cáo thế nào ạ?", True),
        ("tôi muốn khiếu nại", False),
        ("tôi muốn khiếu nại về thái độ của cán bộ một cửa", False),
        ("tôi muốn phản ánh hồ sơ đăng ký thường trú trễ hạn", False),
        ("tố cáo cán bộ địa chính xã đòi tiền", False),
    ],
)
def test_a_grievance_procedure_is_told_from_a_complaint_to_the_city(catalog, text, named):
    assert names_a_grievance_procedure(catalog, text) is named
