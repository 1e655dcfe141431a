"""autograder.learner.datasets on the real files, the Debian path, and broken or missing files."""

from __future__ import annotations

import csv
import gzip
import pickle
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from autograder.learner import budgets, datasets
from conftest import require

pytestmark = pytest.mark.quick


def point_at_empty_folders(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """Point AUTOGRADER_DATA_DIR and Keras' cache at new empty folders; return both."""
    data_dir, keras_home = tmp_path / "data", tmp_path / "keras"
    (keras_home / "datasets").mkdir(parents=True)
    data_dir.mkdir()
    monkeypatch.setenv(datasets.DATA_DIR_VARIABLE, str(data_dir))
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    return data_dir, keras_home / "datasets"


@pytest.fixture
def empty_places(tmp_path, monkeypatch):
    """AUTOGRADER_DATA_DIR and Keras' cache pointing at empty folders."""
    return point_at_empty_folders(tmp_path, monkeypatch)


def test_mnist_is_complete_and_in_original_order():
    require("mnist")
    (x_train, y_train), (x_test, y_test) = datasets.load("mnist", subset="full")
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28)
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_cifar10_is_keras_order_first_20000_and_whole_test_set():
    require("cifar10")
    (x_train, y_train), (x_test, y_test) = datasets.load("cifar10", subset="full")
    assert x_train.shape == (20000, 32, 32, 3) and y_train.shape == (20000, 1)
    assert x_test.shape == (10000, 32, 32, 3) and y_test.shape == (10000, 1)
    assert y_train[:10, 0].tolist() == [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]
    assert y_test[:10, 0].tolist() == [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]
    assert np.bincount(y_train[:, 0]).tolist() == [1989, 1981, 2042, 2011, 2009, 1925, 2038, 2027, 2012, 1966]
    assert np.bincount(y_test[:, 0]).tolist() == [1000] * 10


def test_fashion_mnist_from_the_debian_package(empty_places):
    if not datasets.DEBIAN_FASHION_MNIST_DIR.is_dir():
        require("fashion_mnist")  # skips, or fails in CI
    (x_train, y_train), (x_test, y_test) = datasets.load("fashion_mnist", subset="full")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10


def test_sign_language_is_complete_with_kaggle_counts():
    require("sign_language")
    (x_train, y_train), (x_test, y_test) = datasets.load("sign_language", subset="full")
    assert x_train.shape == (27455, 28, 28) and x_test.shape == (7172, 28, 28) and x_train.dtype == np.uint8
    assert y_train[0] == 3 and x_train[0, 0, :5].tolist() == [107, 118, 127, 134, 139]
    assert y_test[0] == 6 and x_test[0, 0, :6].tolist() == [149, 149, 150, 150, 150, 151]
    assert set(np.unique(y_train).tolist()) == set(range(25)) - {9}
    (_, rps_train), (_, rps_test) = datasets.load("sign_language_rps", subset="full")
    assert np.bincount(rps_train).tolist() == [1126, 1010, 1082]
    assert np.bincount(rps_test).tolist() == [331, 432, 346]


def test_missing_dataset_names_every_place(empty_places, monkeypatch):
    data_dir, keras_cache = empty_places
    with pytest.raises(datasets.DatasetError) as raised:
        datasets.load("mnist")
    message = str(raised.value)
    assert "$AUTOGRADER_DATA_DIR" in message and str(data_dir) in message
    assert "Keras' cache" in message and str(keras_cache) in message
    assert "download: skipped" in message
    assert (f"To get it by hand, download {datasets.KERAS_ORIGIN}mnist.npz and put it in the notebook's folder "
            f"({Path.cwd()}), or in a folder you name with AUTOGRADER_DATA_DIR.") in message


def test_corrupt_file_is_reported_with_its_checksum(empty_places):
    data_dir, _ = empty_places
    (data_dir / "mnist.npz").write_bytes(b"not really an npz")
    with pytest.warns(UserWarning, match="broken copy"), pytest.raises(datasets.DatasetError) as raised:
        datasets.load("mnist")
    assert "sha256" in str(raised.value) and str(data_dir / "mnist.npz") in str(raised.value)


def test_corrupt_copy_falls_back_to_the_next_place(tmp_path, monkeypatch):
    require("mnist")
    real_copy = datasets.find_file("mnist.npz")
    data_dir, keras_cache = point_at_empty_folders(tmp_path, monkeypatch)
    (data_dir / "mnist.npz").write_bytes(b"broken")
    (keras_cache / "mnist.npz").symlink_to(real_copy)
    with pytest.warns(UserWarning, match="broken copy"):
        (x_train, _), _ = datasets.load("mnist", subset="full")
    assert x_train.shape == (60000, 28, 28)


def test_corrupt_fashion_mnist_files(empty_places, tmp_path, monkeypatch):
    data_dir, _ = empty_places
    monkeypatch.setattr(datasets, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "no-debian-package")
    for name in datasets.FASHION_MNIST_FILES:
        with gzip.open(data_dir / name, "wb") as handle:
            handle.write(b"\x00" * 100)
    with pytest.warns(UserWarning), pytest.raises(datasets.DatasetError) as raised:
        datasets.load("fashion_mnist")
    assert "train-images-idx3-ubyte.gz has sha256" in str(raised.value)
    assert "apt-get install dataset-fashion-mnist" in str(raised.value)


def _write_cifar_batches(folder: Path, images_per_batch: int = 10) -> None:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {
            b"data": rng.integers(0, 256, (images_per_batch, 3072), dtype=np.uint8),
            b"labels": rng.integers(0, 10, images_per_batch).tolist(),
        }
        with open(folder / name, "wb") as handle:
            pickle.dump(batch, handle)


def test_cifar10_batches_in_keras_cache(empty_places):
    _, keras_cache = empty_places
    _write_cifar_batches(keras_cache / "cifar-10-batches-py")
    (x_train, y_train), (x_test, y_test) = datasets.load("cifar10", subset="full")
    assert x_train.shape == (50, 32, 32, 3) and y_train.shape == (50, 1)
    assert x_test.shape == (10, 32, 32, 3)


def test_broken_cifar10_batch(empty_places):
    _, keras_cache = empty_places
    _write_cifar_batches(keras_cache / "cifar-10-batches-py")
    (keras_cache / "cifar-10-batches-py" / "data_batch_3").write_bytes(b"garbage")
    with pytest.warns(UserWarning), pytest.raises(datasets.DatasetError, match="data_batch_3 is not a CIFAR-10 batch"):
        datasets.load("cifar10")


def _write_sign_csv(path: Path, rows: list[tuple[int, int]]) -> None:
    header = "label," + ",".join(f"pixel{i}" for i in range(1, 785))
    lines = [header] + [",".join([str(label)] + [str(value)] * 784) for label, value in rows]
    path.write_text("\n".join(lines) + "\n")


def test_sign_language_rps_view(empty_places):
    data_dir, _ = empty_places
    _write_sign_csv(data_dir / "sign_mnist_train.csv", [(0, 10), (21, 20), (3, 30), (1, 40), (21, 50)])
    _write_sign_csv(data_dir / "sign_mnist_test.csv", [(1, 60), (0, 70)])
    (x_train, y_train), (x_test, y_test) = datasets.load("sign_language_rps", subset="full")
    assert y_train.tolist() == [0, 2, 1, 2] and x_train[:, 0, 0].tolist() == [10, 20, 40, 50]
    assert y_test.tolist() == [1, 0]
    (_, y_all), _ = datasets.load("sign_language", subset="full")
    assert y_all.tolist() == [0, 21, 3, 1, 21]


@pytest.mark.parametrize(
    "content, message",
    [
        ("label,pixel1\n3,4\n", "expected header"),
        ("label," + ",".join(f"pixel{i}" for i in range(1, 785)) + "\n3,4,5\n", "785"),
        ("label," + ",".join(f"pixel{i}" for i in range(1, 785)) + "\n9," + ",".join(["0"] * 784) + "\n", "without 9"),
        ("label," + ",".join(f"pixel{i}" for i in range(1, 785)) + "\n2," + ",".join(["300"] * 784) + "\n", "0..255"),
    ],
)
def test_sign_language_csv_format_errors(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(datasets.DatasetError, match=message):
        datasets.read_sign_language_csv(path)


def test_grading_subset_is_fixed_stratified_and_sized(monkeypatch):
    require("mnist")
    monkeypatch.setenv("AUTOGRADER_MODE", "grading")
    first = datasets.load("mnist")
    second = datasets.load("mnist")
    train_size, test_size = budgets.GRADING_SUBSETS["mnist"]
    assert first[0][0].shape == (train_size, 28, 28) and first[1][0].shape == (test_size, 28, 28)
    for (a_x, a_y), (b_x, b_y) in zip(first, second):
        assert np.array_equal(a_x, b_x) and np.array_equal(a_y, b_y)
    (_, y_full), _ = datasets.load("mnist", subset="full")
    expected = np.bincount(y_full) * train_size / len(y_full)
    assert np.all(np.abs(np.bincount(first[0][1]) - expected) < 1)


def test_stratified_indices():
    labels = np.repeat(np.arange(4), [10, 20, 30, 40])
    picked = datasets.stratified_indices(labels, 10, seed=3)
    assert len(set(picked.tolist())) == 10
    assert np.bincount(labels[picked]).tolist() == [1, 2, 3, 4]
    assert np.array_equal(picked, datasets.stratified_indices(labels, 10, seed=3))
    assert not np.array_equal(picked, datasets.stratified_indices(labels, 10, seed=4))
    with pytest.raises(ValueError, match="size must be between 1 and 100"):
        datasets.stratified_indices(labels, 101)


def test_load_returns_fresh_copies():
    require("mnist")
    (x_train, _), _ = datasets.load("mnist", subset="full")
    x_train[0] = 0
    (again, _), _ = datasets.load("mnist", subset="full")
    assert again[0].any()


def test_unknown_name_and_subset():
    with pytest.raises(ValueError, match="Received: name='svhn'"):
        datasets.load("svhn")
    with pytest.raises(ValueError, match="Received: subset='half'"):
        datasets.load("mnist", subset="half")


def test_find_file_lists_places(empty_places):
    with pytest.raises(datasets.DatasetError, match="sign_mnist_test.csv was not found. Looked in"):
        datasets.find_file("sign_mnist_test.csv")


def test_a_learners_copy_next_to_the_notebook_is_found_but_not_by_the_grader(empty_places, tmp_path, monkeypatch):
    notebook_folder = tmp_path / "notebook"
    notebook_folder.mkdir()
    _write_sign_csv(notebook_folder / "sign_mnist_test.csv", [(0, 10)])
    monkeypatch.chdir(notebook_folder)
    assert datasets.find_file("sign_mnist_test.csv") == notebook_folder / "sign_mnist_test.csv"
    monkeypatch.setenv("AUTOGRADER_MODE", "grading")
    with pytest.raises(datasets.DatasetError, match="was not found") as error:
        datasets.find_file("sign_mnist_test.csv")
    assert "current folder" not in str(error.value)


def test_sign_language_csv_hands_out_plain_text_even_from_a_gzipped_copy(empty_places, tmp_path, monkeypatch):
    data_dir, _ = empty_places
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    _write_sign_csv(data_dir / "plain.csv", [(0, 10), (21, 20)])
    with gzip.open(data_dir / "sign_mnist_train.csv.gz", "wb") as handle:
        handle.write((data_dir / "plain.csv").read_bytes())
    path = datasets.sign_language_csv("train")
    assert path.suffix == ".csv" and path.name == "sign_mnist_train.csv"
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["label", "pixel1"] and [row[0] for row in rows[1:]] == ["0", "21"]
    assert datasets.sign_language_csv("train") == path
    with pytest.raises(datasets.DatasetError, match="Neither sign_mnist_test.csv nor sign_mnist_test.csv.gz"):
        datasets.sign_language_csv("test")


@pytest.fixture
def host(local_host, monkeypatch):
    """The local host standing in for the official hosts (its folder, filled by the test); downloads allowed."""
    monkeypatch.setattr(datasets, "KERAS_ORIGIN", local_host.url)
    monkeypatch.delenv(datasets.OFFLINE_VARIABLE)
    return local_host.folder


@pytest.fixture
def nowhere_else(tmp_path, monkeypatch):
    """Empty data folder and Keras cache, no Debian package, a notebook folder of its own (the current folder)."""
    _, keras_cache = point_at_empty_folders(tmp_path, monkeypatch)
    monkeypatch.setattr(datasets, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "no-debian-package")
    notebook_folder = tmp_path / "notebook"
    notebook_folder.mkdir()
    monkeypatch.chdir(notebook_folder)
    return keras_cache


@pytest.fixture
def real_fashion_mnist() -> Path:
    """The folder of this machine's copy of the four Fashion-MNIST files (found before a test hides it)."""
    require("fashion_mnist")
    folder, _ = datasets.locate("fashion_mnist")
    assert folder is not None
    return folder


def test_fashion_mnist_downloads_from_its_host_checked_and_kept_in_keras_cache(real_fashion_mnist, host, nowhere_else):
    for name in datasets.FASHION_MNIST_FILES:
        shutil.copy(real_fashion_mnist / name, host / name)
    (x_train, y_train), (x_test, _) = datasets.load("fashion_mnist", subset="full")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert np.bincount(y_train).tolist() == [6000] * 10
    kept = nowhere_else / "fashion-mnist"
    assert sorted(path.name for path in kept.iterdir()) == sorted(datasets.FASHION_MNIST_FILES)
    datasets._read_cached.cache_clear()
    for served in host.iterdir():  # the host has nothing now: the kept copy serves
        served.unlink()
    (again, _), _ = datasets.load("fashion_mnist", subset="full")
    assert (again == x_train).all()


def test_a_download_with_another_checksum_is_an_error_that_says_so_and_keeps_nothing(host, nowhere_else):
    (host / "mnist.npz").write_bytes(b"<html>the proxy's login page</html>")
    with pytest.raises(datasets.DatasetError) as raised:
        datasets.load("mnist")
    message = str(raised.value)
    assert f"download: checksum mismatch: {datasets.KERAS_ORIGIN}mnist.npz sent a file with sha256 " in message
    assert f"expected {datasets.KERAS_MNIST_SHA256}" in message and "nothing was kept" in message
    assert list(nowhere_else.iterdir()) == []


def test_no_network_says_which_file_where_from_and_the_folder_to_put_it_in(nowhere_else, monkeypatch):
    monkeypatch.delenv(datasets.OFFLINE_VARIABLE)
    monkeypatch.setattr(datasets, "KERAS_ORIGIN", "http://127.0.0.1:9/")  # nothing listens there
    with pytest.raises(datasets.DatasetError) as raised:
        datasets.load("fashion_mnist")
    message = str(raised.value)
    assert "download: failed (URLError" in message
    assert (f"To get it by hand, download {', '.join(datasets.FASHION_MNIST_FILES)} from http://127.0.0.1:9/ and put "
            f"the four files in the notebook's folder ({Path.cwd()}), or in a folder you name with "
            "AUTOGRADER_DATA_DIR.") in message


def test_sign_language_names_kaggle_and_the_two_files(nowhere_else):
    with pytest.raises(datasets.DatasetError) as raised:
        datasets.load("sign_language")
    message = str(raised.value)
    assert f"sign in to Kaggle, download sign_mnist_train.csv and sign_mnist_test.csv from " \
           f"{datasets.SIGN_LANGUAGE_PAGE} and put the two files in the notebook's folder ({Path.cwd()})" in message
