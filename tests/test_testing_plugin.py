"""The pytest plugin sections test with (onewindow.testing) catches what it promises to."""

from pathlib import Path

import pytest

from onewindow.testing import check_catalogue_text

SAMPLE = (Path(__file__).parent / "data" / "sample_catalogue.toml").read_text(encoding="utf-8")


def test_sample_catalogue_passes():
    assert check_catalogue_text(SAMPLE) == 0
    with_code = SAMPLE.replace('sample = "鞍山市星河科技有限公司"',
                               'sample = "91110000600037341L"')
    assert check_catalogue_text(with_code) == 1


def test_a_bad_credit_code_or_id_number_is_caught():
    bad_code = SAMPLE.replace('sample = "13904120000"', 'sample = "91110000600037341X"')
    with pytest.raises(AssertionError, match="91110000600037341X fails its checksum"):
        check_catalogue_text(bad_code)
    assert check_catalogue_text(bad_code, not_codes={"91110000600037341X"}) == 0
    bad_id = SAMPLE.replace('sample = "13904120000"', 'sample = "110105194912310021"')
    with pytest.raises(AssertionError, match="110105194912310021"):
        check_catalogue_text(bad_id)


def test_a_form_field_with_a_misspelled_part_is_caught():
    with pytest.raises(AssertionError, match="application-form"):
        check_catalogue_text(SAMPLE.replace('note = "不得简写"', 'notes = "不得简写"'))


def test_a_credit_code_whose_organisation_code_fails_gb11714_is_caught():
    # the 18th character holds (python-stdnum accepts it); the 17th, GB 11714's, does not
    from stdnum.cn import uscc

    from onewindow.inputs import with_check_chars

    broken = "91210302MA03AGYGL6"
    assert uscc.is_valid(broken)
    text = SAMPLE.replace('sample = "13904120000"', f'sample = "{broken}"')
    with pytest.raises(AssertionError, match=f"{broken}: the organisation code"):
        check_catalogue_text(text)
    fixed = with_check_chars(broken[:16])
    assert check_catalogue_text(SAMPLE.replace('sample = "13904120000"',
                                               f'sample = "{fixed}"')) == 1
