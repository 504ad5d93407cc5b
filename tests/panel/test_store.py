import pytest

from wijkradar.errors import DataNotFoundError, WijkradarError
from wijkradar.panel import store


def _writer(text):
    def write(tmp):
        (tmp / "panel.txt").write_text(text)
        store.write_json({"ok": True}, tmp / store.MANIFEST)

    return write


def test_swap_replaces_dataset_and_leaves_no_temp(tmp_path):
    out = tmp_path / "ds"
    store.write_dataset(out, _writer("one"))
    store.write_dataset(out, _writer("two"))
    assert (out / "panel.txt").read_text() == "two"
    assert (out / "catalogue" / "indicators.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]


def test_failing_write_leaves_previous_dataset_untouched(tmp_path):
    out = tmp_path / "ds"
    store.write_dataset(out, _writer("one"))

    def broken(tmp):
        (tmp / "panel.txt").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        store.write_dataset(out, broken)
    assert (out / "panel.txt").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]


def test_refuses_to_overwrite_a_folder_that_is_not_a_dataset(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("precious")
    with pytest.raises(
        WijkradarError, match="mine bestaat al en is geen wijkradar-dataset; kies een andere map"
    ):
        store.write_dataset(tmp_path / "mine", _writer("x"))
    assert (tmp_path / "mine" / "thesis.docx").read_text() == "precious"


def test_resolve_dataset_explains_how_to_build(tmp_path):
    with pytest.raises(
        DataNotFoundError,
        match=r"geen wijkradar-dataset in .*nothing \(geen manifest.json\); bouw eerst een dataset",
    ) as err:
        store.resolve_dataset(tmp_path / "nothing")
    assert "--out" not in str(err.value)  # the library names no CLI flags
