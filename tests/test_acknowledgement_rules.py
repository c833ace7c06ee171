"""Pure tests of the acknowledgement finder (seed 000, 附件3): CN and EN wordings, with and
without the acknowledgement, text as pasted or as a PDF gives it."""

import pytest

from core_facility.rules import acknowledgement as rules

CN = rules.Template("cn", rules.parse_phrases("生物物理研究所蛋白质科学研究平台生物成像中心"))
EN = rules.Template(
    "en",
    rules.parse_phrases(
        "Center for Biological Imaging | Centre for Biological Imaging\n"
        "Institute of Biophysics\n"
        "Chinese Academy of Science\n"
    ),
)
HPC = rules.Template(
    "hpc", rules.parse_phrases("HPC-Service Station\nCenter for Biological Imaging")
)
TEMPLATES = (CN, EN, HPC)


def test_parse_phrases_one_per_line_alternatives_by_bar():
    assert rules.parse_phrases(" a | b \n\n c\n|\n") == (("a", "b"), ("c",))
    assert rules.parse_phrases(None) == ()


def test_normalise_radicals_and_spaces_keeps_what_was_written():
    # a Kangxi radical (⼯, U+2F2F) as PDF extraction gives; full-width forms are kept
    assert rules.normalise("ＣＢＩ，相关⼯作\n在 生物 成像中心") == "ＣＢＩ，相关工作在生物成像中心"
    assert rules.normalise("Chinese  Academy\n of\tSciences") == "Chinese Academy of Sciences"


def test_normalise_joins_words_hyphenated_at_line_end():
    assert rules.normalise("Chinese Academy of Sci-\nences") == "Chinese Academy of Sciences"
    assert rules.normalise("Cryo-EM work") == "Cryo-EM work"  # a hyphen inside a line stays


def test_match_key_folds_case_dashes_and_full_width():
    assert rules.match_key("HPC-Service  STATION") == rules.match_key("hpc service station")
    assert rules.match_key("ＣＢＩ，中心") == "cbi,中心"


def test_split_sentences_cn_and_en():
    text = "本文工作得到支持。相关工作在中心完成；感谢张三。We thank Dr. Li. Data are open; see SI."
    assert rules.split_sentences(text) == [
        "本文工作得到支持。",
        "相关工作在中心完成；",
        "感谢张三。",
        "We thank Dr. Li.",
        "Data are open;",
        "see SI.",
    ]


def test_cn_acknowledgement_found_with_its_sentence():
    text = (
        "结果表明该蛋白形成二聚体。\n致谢：冷冻电镜成像相关工作在生物物理研究所蛋白质科学研究平台"
        "生物成像中心完成，感谢张三在样品制备工作中的帮助。本研究由国家自然科学基金资助。"
    )
    match = rules.find_acknowledgement(text, TEMPLATES)
    assert match.template_key == "cn"
    assert match.sentence.startswith("致谢：冷冻电镜成像相关工作")
    assert match.sentence.endswith("帮助。")


def test_cn_acknowledgement_from_pdf_text_with_radicals_and_breaks():
    # what PDF extraction gives: Kangxi radicals (⽣ 生, ⼼ 心, ⽩ 白) and a line break mid-name
    text = "致谢：相关⼯作在⽣物物理研究所蛋⽩质科学研究平台⽣物\n成像中⼼完成。"
    assert rules.find_acknowledgement(text, TEMPLATES).template_key == "cn"


def test_cn_without_the_acknowledgement():
    text = "致谢：感谢国家蛋白质科学中心（北京）在冷冻电镜数据收集中的帮助。本研究由科技部资助。"
    assert rules.find_acknowledgement(text, TEMPLATES) is None


def test_cn_partial_name_is_not_enough():
    text = "致谢：相关工作在生物成像中心完成。"
    assert rules.find_acknowledgement(text, TEMPLATES) is None


def test_en_acknowledgement_found_across_lines_and_hyphenation():
    text = (
        "The structure was refined to 3.2 Å.\nAcknowledgements: We would like to thank the "
        "Center for\nBiological Imaging (CBI), Institute of Biophysics, Chinese Academy of Sci-\n"
        "ences for our Cryo-EM work. We thank Dr. Zhang for help."
    )
    match = rules.find_acknowledgement(text, TEMPLATES)
    assert match.template_key == "en"
    assert match.sentence == (
        "Acknowledgements: We would like to thank the Center for Biological Imaging (CBI), "
        "Institute of Biophysics, Chinese Academy of Sciences for our Cryo-EM work."
    )


@pytest.mark.parametrize(
    "text",
    [
        "our cryo-em work was performed at the centre for biological imaging, institute of "
        "biophysics, chinese academy of sciences.",
        "ＯＵＲ　ＷＯＲＫ　ＷＡＳ　ＰＥＲＦＯＲＭＥＤ　ＡＴ　ＴＨＥ　"
        "Center for Biological Imaging, "
        "Institute of Biophysics, Chinese Academy of Science.",
    ],
)
def test_en_acknowledgement_case_spelling_and_full_width(text):
    assert rules.find_acknowledgement(text, TEMPLATES).template_key == "en"


def test_en_without_the_acknowledgement():
    text = (
        "Acknowledgements: We thank the Cryo-EM facility of Tsinghua University. "
        "This work was supported by the National Natural Science Foundation of China."
    )
    assert rules.find_acknowledgement(text, TEMPLATES) is None


def test_en_phrases_must_be_in_one_sentence():
    text = (
        "We thank the Center for Biological Imaging. "
        "The Institute of Biophysics, Chinese Academy of Sciences funded us."
    )
    assert rules.find_acknowledgement(text, TEMPLATES) is None


def test_hpc_wording_with_or_without_hyphen():
    text = "Computing was done at the HPC Service Station in Center for Biological Imaging."
    assert rules.find_acknowledgement(text, TEMPLATES).template_key == "hpc"


def test_no_text_or_no_templates():
    assert rules.find_acknowledgement("", TEMPLATES) is None
    assert rules.find_acknowledgement(None, TEMPLATES) is None
    empty = rules.Template("empty", ())
    assert rules.find_acknowledgement("Center for Biological Imaging.", (empty,)) is None
