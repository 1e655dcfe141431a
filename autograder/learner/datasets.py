"""Find, verify and load the course's datasets.

`load(name)` returns ``((x_train, y_train), (x_test, y_test))`` with the
shapes and dtypes of Keras' own ``load_data()``. Files are looked for, in
order, in:

1. the folder named by ``AUTOGRADER_DATA_DIR``;
2. Keras' cache, ``~/.keras/datasets`` (``$KERAS_HOME/datasets``);
3. the Debian package folder ``/usr/share/datasets/fashion-mnist``
   (Fashion-MNIST only; ``apt-get install dataset-fashion-mnist``);
4. the folder the notebook runs in (not under the grader);
5. the official download into Keras' cache, each file checked against a
   pinned sha256 (skipped when ``AUTOGRADER_OFFLINE=1``; Sign Language
   MNIST has none: Kaggle wants a login).

Every file with a known sha256 is checked against it, and every file's
format (magic numbers, shapes, value ranges) is checked as it is read. When
nothing usable is found, one `DatasetError` lists every place looked at and
says which files to get by hand, from where, and the folder to put them in
(`by_hand`). In grading mode (see `autograder.learner.modes`) `load` returns
fixed, stratified subsets whose sizes live in `autograder.learner.budgets`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import shutil
import tarfile
import tempfile
import urllib.request
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Literal

import numpy as np

from autograder.learner import budgets, modes

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
Subset = Literal["auto", "full", "grading"]

DATA_DIR_VARIABLE = "AUTOGRADER_DATA_DIR"
OFFLINE_VARIABLE = "AUTOGRADER_OFFLINE"
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CIFAR10_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"

FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
}
# Known copies of mnist.npz: Keras' download, and the PNG reconstruction in
# ../shared/datasets (see its README for provenance).
MNIST_SHA256 = {
    "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1": "Keras' mnist.npz",
    "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64": "MNIST from PNG copy",
}
# CIFAR-10 as .npz in ../shared/datasets (see its README for provenance):
# the first 20,000 training images and the whole test set in Keras' order,
# and the earlier stratified, shuffled 20k copy (same JPEGs, other order).
CIFAR10_NPZ_SHA256 = {
    "8ad2dff87f0bee71ed723d10fc56d53511cdc9cac8f5e0555c58e39f7dd280a7": "CIFAR-10, first 20,000 train + test, original order",
    "c9d9684aab91cb02c8d5b60684437f8a6e5ebe78e9b7de8069d6c222a8eb7dc6": "CIFAR-10, stratified shuffled 20k subset (earlier copy)",
}
CIFAR10_ARCHIVE_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
KERAS_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
SIGN_LANGUAGE_PAGE = "https://www.kaggle.com/datasets/datamunge/sign-language-mnist"
DOWNLOAD_TIMEOUT_S = 60

SIGN_LANGUAGE_LETTERS = "ABCDEFGHIKLMNOPQRSTUVWXY"  # labels 0..24 without 9 (J)
RPS_LABELS = (0, 1, 21)  # A, B, V: rock, paper, scissors
DATASET_NAMES = ("fashion_mnist", "mnist", "cifar10", "sign_language", "sign_language_rps")


class DatasetError(RuntimeError):
    """A dataset is missing, corrupt or not in the expected format."""


@dataclass(frozen=True)
class Place:
    """A folder to look in, with the words that name it in messages."""

    label: str
    folder: Path


def search_places(name: str) -> list[Place]:
    """Return the folders `load` and `find_file` search for ``name``, in order.

    The last is the current folder (a learner's copy next to the notebook),
    except under the grader, which reads only its own data.

    Args:
        name: a dataset name from `DATASET_NAMES`.

    Returns:
        The places, first to last; the download is not a folder and is not
        listed.
    """
    places = []
    data_dir = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    if data_dir:
        places.append(Place(f"${DATA_DIR_VARIABLE}", Path(data_dir).expanduser()))
    places.append(Place("Keras' cache", _keras_cache()))
    if name == "fashion_mnist":
        places.append(Place("the Debian package dataset-fashion-mnist", DEBIAN_FASHION_MNIST_DIR))
    if not modes.is_grading():
        places.append(Place("the current folder", Path.cwd()))
    return places


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _require_sha256(path: Path, known: dict[str, str]) -> None:
    found = _cached_sha256(str(path), path.stat().st_size, path.stat().st_mtime_ns)
    if found not in known:
        raise DatasetError(
            f"{path} has sha256 {found}, expected one of: "
            + ", ".join(f"{digest} ({what})" for digest, what in known.items())
            + ". The file is corrupt or a different version; delete it so it is fetched again."
        )


@lru_cache(maxsize=64)
def _cached_sha256(path: str, size: int, mtime_ns: int) -> str:
    return sha256_of(Path(path))


def _read_idx(path: Path, expected_dims: int) -> np.ndarray:
    """Read a gzipped IDX file (MNIST's format), checking its header."""
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise DatasetError(f"{path} is not a readable gzip file ({error}).") from None
    magic = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else -1
    if magic != 0x0800 + expected_dims:
        raise DatasetError(
            f"{path} is not an IDX file of {expected_dims} dimension(s): "
            f"expected magic number {0x0800 + expected_dims}, found {magic}."
        )
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(expected_dims)]
    header = 4 + 4 * expected_dims
    if len(raw) - header != int(np.prod(dims)):
        raise DatasetError(
            f"{path} is truncated: header says {dims} ({int(np.prod(dims))} bytes), "
            f"found {len(raw) - header} bytes."
        )
    return np.frombuffer(raw, np.uint8, offset=header).reshape(dims)


def _fashion_mnist_folder(place: Path) -> Path | None:
    for folder in (place, place / "fashion-mnist"):
        if all((folder / name).is_file() for name in FASHION_MNIST_FILES):
            return folder
    return None


def _load_fashion_mnist(folder: Path) -> Arrays:
    for name, digest in FASHION_MNIST_FILES.items():
        _require_sha256(folder / name, {digest: f"official {name}"})
    x_train = _read_idx(folder / "train-images-idx3-ubyte.gz", 3)
    y_train = _read_idx(folder / "train-labels-idx1-ubyte.gz", 1)
    x_test = _read_idx(folder / "t10k-images-idx3-ubyte.gz", 3)
    y_test = _read_idx(folder / "t10k-labels-idx1-ubyte.gz", 1)
    return (x_train, y_train), (x_test, y_test)


def _read_npz(path: Path) -> Arrays:
    try:
        with np.load(path, allow_pickle=False) as data:
            return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
    except (OSError, ValueError, KeyError) as error:
        raise DatasetError(
            f"{path} is not a readable .npz with x_train, y_train, x_test, y_test ({error})."
        ) from None


def _load_mnist(path: Path) -> Arrays:
    _require_sha256(path, MNIST_SHA256)
    return _read_npz(path)


def _load_cifar10_npz(path: Path) -> Arrays:
    _require_sha256(path, CIFAR10_NPZ_SHA256)
    return _read_npz(path)


def _cifar10_batches_folder(place: Path) -> Path | None:
    for folder in (place / "cifar-10-batches-py", place / "cifar-10-batches-py-target" / "cifar-10-batches-py"):
        if (folder / "test_batch").is_file():
            return folder
    return None


def _read_cifar10_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with open(path, "rb") as handle:
            batch = pickle.load(handle, encoding="bytes")
        images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
        labels = np.asarray(batch[b"labels"], dtype=np.uint8).reshape(-1, 1)
    except Exception as error:  # a broken pickle can raise nearly anything
        raise DatasetError(f"{path} is not a CIFAR-10 batch ({type(error).__name__}: {error}).") from None
    return images.transpose(0, 2, 3, 1), labels


def _load_cifar10_batches(folder: Path) -> Arrays:
    train = [_read_cifar10_batch(folder / f"data_batch_{i}") for i in range(1, 6)]
    x_test, y_test = _read_cifar10_batch(folder / "test_batch")
    x_train = np.concatenate([images for images, _ in train])
    y_train = np.concatenate([labels for _, labels in train])
    return (x_train, y_train), (x_test, y_test)


def _find_csv(place: Path, stem: str) -> Path | None:
    for candidate in (place / f"{stem}.csv", place / f"{stem}.csv.gz"):
        if candidate.is_file():
            return candidate
    return None


def read_sign_language_csv(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read a Sign Language MNIST CSV in Kaggle's layout.

    Args:
        path: a ``.csv`` or ``.csv.gz`` with header ``label,pixel1..pixel784``.

    Returns:
        ``(images, labels)``: uint8 ``(N, 28, 28)`` and uint8 ``(N,)``.

    Raises:
        DatasetError: the header, a row's length, or a value is wrong.
    """
    path = Path(path)
    opener: Callable = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt") as handle:
            header = handle.readline().strip().split(",")
            expected = ["label"] + [f"pixel{i}" for i in range(1, 785)]
            if header != expected:
                raise DatasetError(
                    f"{path}: expected header 'label,pixel1,...,pixel784', found "
                    f"'{','.join(header[:3])},...' with {len(header)} columns."
                )
            table = _integer_table(handle)
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise DatasetError(f"{path} is not a readable CSV ({error}).") from None
    except ValueError as error:  # pandas' parser errors are ValueErrors too
        raise DatasetError(f"{path}: every row must hold 785 integers ({str(error).strip()[:200]}).") from None
    if table.shape[1] != 785:
        raise DatasetError(f"{path}: expected 785 fields per row, found {table.shape[1]}.")
    label_column, pixels = np.split(table, [1], axis=1)
    labels = label_column[:, 0]
    bad_labels = sorted(set(labels.tolist()) - (set(range(25)) - {9}))
    if bad_labels:
        raise DatasetError(f"{path}: labels must be 0..24 without 9 (J), found {bad_labels[:5]}.")
    if pixels.size and (pixels.min() < 0 or pixels.max() > 255):
        raise DatasetError(f"{path}: pixels must be 0..255, found {pixels.min()}..{pixels.max()}.")
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels.astype(np.uint8)


def _integer_table(handle) -> np.ndarray:
    """The rest of an open CSV as an int64 table (pandas parses it several times faster than ``np.loadtxt``)."""
    import pandas

    return pandas.read_csv(handle, header=None, dtype=np.int64).to_numpy()


def _load_sign_language(folder: Path) -> Arrays:
    train = _find_csv(folder, "sign_mnist_train")
    test = _find_csv(folder, "sign_mnist_test")
    assert train is not None and test is not None
    return read_sign_language_csv(train), read_sign_language_csv(test)


@dataclass(frozen=True)
class _Layout:
    """How one dataset can sit in a folder: a finder and a reader."""

    what: str
    find: Callable[[Path], Path | None]
    read: Callable[[Path], Arrays]


def _file(name: str) -> Callable[[Path], Path | None]:
    return lambda place: (place / name) if (place / name).is_file() else None


LAYOUTS: dict[str, list[_Layout]] = {
    "fashion_mnist": [_Layout("the four Fashion-MNIST IDX .gz files", _fashion_mnist_folder, _load_fashion_mnist)],
    "mnist": [_Layout("mnist.npz", _file("mnist.npz"), _load_mnist)],
    "cifar10": [
        _Layout("cifar10.npz", _file("cifar10.npz"), _load_cifar10_npz),
        _Layout("cifar-10-batches-py/", _cifar10_batches_folder, _load_cifar10_batches),
    ],
    "sign_language": [
        _Layout(
            "sign_mnist_train.csv and sign_mnist_test.csv (or .csv.gz)",
            lambda place: place if _find_csv(place, "sign_mnist_train") and _find_csv(place, "sign_mnist_test") else None,
            _load_sign_language,
        )
    ],
}


def locate(name: str) -> tuple[Path | None, list[str]]:
    """Find ``name`` on disk without reading or downloading it.

    Args:
        name: a dataset name from `DATASET_NAMES` (``sign_language_rps`` is
            looked up as ``sign_language``).

    Returns:
        The file or folder found first (or None) and, for each place
        searched before it, what was missing there.
    """
    name = "sign_language" if name == "sign_language_rps" else name
    notes = []
    for place in search_places(name):
        for layout in LAYOUTS[name]:
            found = layout.find(place.folder)
            if found is not None:
                return found, notes
            notes.append(f"{place.label} ({place.folder}): no {layout.what}")
    return None, notes


def _keras_cache() -> Path:
    """Keras' dataset cache (``$KERAS_HOME/datasets``), where downloads are kept."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser() / "datasets"


def _fetch(url: str, target: Path, sha256: str) -> Path:
    """Download ``url`` to ``target`` (kept only when its sha256 is ``sha256``); a kept copy is not fetched again.

    Raises:
        DatasetError: the file downloaded is not the one pinned (nothing is kept).
        OSError: the host cannot be reached (``urllib.error.URLError`` is one).
    """
    if target.is_file() and sha256_of(target) == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response, open(partial, "wb") as out:
            shutil.copyfileobj(response, out)
        found = sha256_of(partial)
        if found != sha256:
            raise DatasetError(f"checksum mismatch: {url} sent a file with sha256 {found}, expected {sha256} "
                               "(not the official file: a proxy's page or a changed host); nothing was kept")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _download(name: str) -> Arrays:
    """Fetch a dataset from its official host into Keras' cache, each file checked against its pinned sha256."""
    if name == "sign_language":
        raise DatasetError("Sign Language MNIST has no download without a Kaggle login")
    cache = _keras_cache()
    if name == "mnist":
        return _load_mnist(_fetch(KERAS_ORIGIN + "mnist.npz", cache / "mnist.npz", KERAS_MNIST_SHA256))
    if name == "fashion_mnist":
        for file_name, digest in FASHION_MNIST_FILES.items():
            _fetch(KERAS_ORIGIN + file_name, cache / "fashion-mnist" / file_name, digest)
        return _load_fashion_mnist(cache / "fashion-mnist")
    archive = _fetch(CIFAR10_ORIGIN, cache / "cifar-10-python.tar.gz", CIFAR10_ARCHIVE_SHA256)
    with tarfile.open(archive) as opened:
        opened.extractall(cache, filter="data")
    return _load_cifar10_batches(cache / "cifar-10-batches-py")


def by_hand(name: str) -> str:
    """How to get ``name`` without the automatic download: which files, where from, and the folder to put them in."""
    here = Path.cwd()
    steps = {
        "fashion_mnist": f"download {', '.join(FASHION_MNIST_FILES)} from {KERAS_ORIGIN} and put the four files",
        "mnist": f"download {KERAS_ORIGIN}mnist.npz and put it",
        "cifar10": f"download {CIFAR10_ORIGIN}, unpack it and put its folder cifar-10-batches-py",
        "sign_language": f"sign in to Kaggle, download sign_mnist_train.csv and sign_mnist_test.csv from "
                         f"{SIGN_LANGUAGE_PAGE} and put the two files",
    }
    return (f"To get it by hand, {steps[name]} in the notebook's folder ({here}), or in a folder you name with "
            f"{DATA_DIR_VARIABLE}.")


def _check_arrays(name: str, source: str, arrays: Arrays) -> Arrays:
    shapes = {"fashion_mnist": (28, 28), "mnist": (28, 28), "cifar10": (32, 32, 3), "sign_language": (28, 28)}
    classes = {"fashion_mnist": 10, "mnist": 10, "cifar10": 10, "sign_language": 25}
    for split, (images, labels) in zip(("train", "test"), arrays):
        if images.dtype != np.uint8 or images.shape[1:] != shapes[name] or len(images) != len(labels):
            raise DatasetError(
                f"{source}: {split} images must be uint8 (N, {', '.join(map(str, shapes[name]))}) with one "
                f"label each; found {images.dtype} {images.shape} and {len(labels)} labels."
            )
        if labels.size and labels.max() >= classes[name]:
            raise DatasetError(f"{source}: {split} labels must be below {classes[name]}, found {labels.max()}.")
    return arrays


def _load_full(name: str) -> Arrays:
    notes = []
    for place in search_places(name):
        for layout in LAYOUTS[name]:
            found = layout.find(place.folder)
            if found is None:
                notes.append(f"{place.label} ({place.folder}): no {layout.what}")
                continue
            try:
                return _check_arrays(name, str(found), _read_cached(name, layout.what, found))
            except DatasetError as error:
                notes.append(f"{place.label} ({place.folder}): {error}")
                warnings.warn(f"Skipping a broken copy of {name}: {error}", stacklevel=3)
    if os.environ.get(OFFLINE_VARIABLE, "").strip() in ("1", "true", "yes"):
        notes.append(f"download: skipped because {OFFLINE_VARIABLE} is set")
    else:
        try:
            return _check_arrays(name, "download", _download(name))
        except Exception as error:  # no network, a refused host, a bad hash
            first_line = str(error).splitlines()[0] if str(error) else ""
            notes.append(f"download: {first_line}" if isinstance(error, DatasetError)
                         else f"download: failed ({type(error).__name__}: {first_line})")
    raise DatasetError(
        f"Dataset '{name}' was not found. Looked in:\n  - "
        + "\n  - ".join(notes)
        + f"\n{by_hand(name)}"
        + (" On Debian or Ubuntu, `apt-get install dataset-fashion-mnist` also works." if name == "fashion_mnist" else "")
    )


@lru_cache(maxsize=8)
def _read_cached(name: str, what: str, found: Path) -> Arrays:
    layout = next(layout for layout in LAYOUTS[name] if layout.what == what)
    return layout.read(found)


def stratified_indices(labels: np.ndarray, size: int, seed: int = budgets.SUBSET_SEED) -> np.ndarray:
    """Pick a fixed, class-balanced, shuffled sample of indices.

    Each class gets a share of ``size`` proportional to its frequency
    (largest remainders first), its members are drawn with a seeded
    generator, and the union is shuffled so that classes are mixed (a
    ``validation_split`` then sees every class).

    Args:
        labels: integer labels, shape ``(N,)`` or ``(N, 1)``.
        size: how many indices; at most ``N``.
        seed: the generator's seed; the same seed gives the same indices.

    Returns:
        An int64 array of ``size`` distinct indices into ``labels``.

    Example:
        >>> stratified_indices(np.array([0, 0, 1, 1]), 2).tolist() in ([0, 2], [2, 0], [0, 3], [3, 0], [1, 2], [2, 1], [1, 3], [3, 1])
        True
    """
    flat = np.asarray(labels).reshape(-1)
    if not 0 < size <= len(flat):
        raise ValueError(f"size must be between 1 and {len(flat)}. Received: size={size}")
    classes, counts = np.unique(flat, return_counts=True)
    exact = size * counts / counts.sum()
    quotas = np.floor(exact).astype(int)
    for position in np.argsort(-(exact - quotas), kind="stable")[: size - quotas.sum()]:
        quotas[position] += 1
    rng = np.random.default_rng(seed)
    chosen = [rng.permutation(np.flatnonzero(flat == label))[:quota] for label, quota in zip(classes, quotas)]
    return rng.permutation(np.concatenate(chosen)).astype(np.int64)


def _subset(arrays: Arrays, sizes: tuple[int, int]) -> Arrays:
    result = []
    for (images, labels), size in zip(arrays, sizes):
        keep = stratified_indices(labels, min(size, len(labels)))
        result.append((images[keep], labels[keep]))
    return result[0], result[1]


def _rps_view(arrays: Arrays) -> Arrays:
    result = []
    for images, labels in arrays:
        keep = np.isin(labels, RPS_LABELS)
        mapped = np.searchsorted(np.array(RPS_LABELS), labels[keep]).astype(np.uint8)
        result.append((images[keep], mapped))
    return result[0], result[1]


def load(name: str, subset: Subset = "auto") -> Arrays:
    """Load a dataset as ``((x_train, y_train), (x_test, y_test))``.

    Args:
        name: ``fashion_mnist``, ``mnist``, ``cifar10``, ``sign_language``
            (24 letters, labels 0..24 without 9) or ``sign_language_rps``
            (letters A, B, V as labels 0, 1, 2).
        subset: ``full``; ``grading`` for the fixed stratified subsets in
            `autograder.learner.budgets.GRADING_SUBSETS`; ``auto`` (default) picks
            ``grading`` under the grader and ``full`` otherwise.

    Returns:
        uint8 images and uint8 labels shaped as Keras' ``load_data()``
        (CIFAR-10 labels are ``(N, 1)``, the others ``(N,)``); fresh
        copies, so changing them changes nothing for the next call.

    Raises:
        DatasetError: nothing usable was found; the message lists every
            place looked at and how to fix it.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load("fashion_mnist")  # doctest: +SKIP
    """
    if name not in DATASET_NAMES:
        raise ValueError(f"Unknown dataset. Expected one of {', '.join(DATASET_NAMES)}. Received: name={name!r}")
    if subset not in ("auto", "full", "grading"):
        raise ValueError(f"subset must be 'auto', 'full' or 'grading'. Received: subset={subset!r}")
    if subset == "auto":
        modes.watch_training()  # a learner's cell loading its data: under the grader, log how it trains
    base = "sign_language" if name == "sign_language_rps" else name
    arrays = _load_full(base)
    if name == "sign_language_rps":
        arrays = _rps_view(arrays)
    if subset == "grading" or (subset == "auto" and modes.is_grading()):
        return _subset(arrays, budgets.GRADING_SUBSETS[base])
    (x_train, y_train), (x_test, y_test) = arrays
    return (x_train.copy(), y_train.copy()), (x_test.copy(), y_test.copy())


def find_file(file_name: str) -> Path:
    """Return the first copy of a data file in the search places (`search_places`).

    Args:
        file_name: a file name such as ``sign_mnist_train.csv``.

    Raises:
        DatasetError: no place holds it; the message lists the places.
    """
    places = search_places(file_name)
    for place in places:
        if (place.folder / file_name).is_file():
            return place.folder / file_name
    raise DatasetError(
        f"{file_name} was not found. Looked in: "
        + ", ".join(f"{place.label} ({place.folder})" for place in places)
        + f". Fix: set {DATA_DIR_VARIABLE} to the folder that holds it."
    )


def sign_language_csv(split: str) -> Path:
    """Return a plain ``.csv`` of Sign Language MNIST's ``train`` or ``test`` split.

    Learners get the file as Kaggle distributes it: plain CSV text with
    header ``label,pixel1,...,pixel784``. Where only a gzipped copy
    (``sign_mnist_<split>.csv.gz``) is found, it is decompressed once into
    `plain_csv_folder` and that copy is returned, so a loader written with
    ``open()`` and ``csv`` reads it as well as one using pandas.

    Args:
        split: ``train`` or ``test``.

    Raises:
        DatasetError: neither file is found; the message lists the places.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'. Received: split={split!r}")
    name = f"sign_mnist_{split}.csv"
    try:
        return find_file(name)
    except DatasetError:
        pass
    try:
        compressed = find_file(f"{name}.gz")
    except DatasetError as error:
        raise DatasetError(
            f"Neither {name} nor {name}.gz was found. Looked in: {str(error).split('. Looked in: ', 1)[-1]}"
        ) from None
    return _decompressed(compressed, name)


def plain_csv_folder() -> Path:
    """Return the folder where gzipped CSVs are decompressed (one per user, in the temporary folder)."""
    return Path(tempfile.gettempdir()) / f"autograder-data-{os.getuid()}"


def _decompressed(compressed: Path, name: str) -> Path:
    """Decompress ``compressed`` once, keyed by its size and time, and return the plain file."""
    stat = compressed.stat()
    key = hashlib.sha256(f"{compressed.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    target = plain_csv_folder() / key / name
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{name}.{os.getpid()}.partial")
    try:
        with gzip.open(compressed, "rb") as source, open(partial, "wb") as plain:
            shutil.copyfileobj(source, plain, 1 << 20)
    except (OSError, EOFError) as error:
        partial.unlink(missing_ok=True)
        raise DatasetError(f"{compressed} is not a readable gzip file ({error}).") from None
    os.replace(partial, target)
    return target
