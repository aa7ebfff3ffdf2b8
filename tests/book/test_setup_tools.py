"""tools/wheelhouse.py (markers of the target platform, not of this machine) and tools/preflight.py.

Quick and offline: the wheelhouse's closure is computed on tiny wheels made here; the pre-flight
checks that need no kernel run as they do on a laptop (the kernel and the widget round trip run in
`make check` and in tests/book/test_offline_install.py).
"""
import pathlib
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import preflight  # noqa: E402
import wheelhouse  # noqa: E402
from packaging.requirements import Requirement  # noqa: E402


def make_wheel(folder, name, version, requires=()):
    path = folder / f"{name}-{version}-py3-none-any.whl"
    meta = "Metadata-Version: 2.1\nName: {}\nVersion: {}\n{}".format(
        name, version, "".join(f"Requires-Dist: {r}\n" for r in requires))
    with zipfile.ZipFile(path, "w") as whl:
        whl.writestr(f"{name}-{version}.dist-info/METADATA", meta)
    return path


@pytest.fixture
def house(tmp_path):
    """A server that needs pywinpty on Windows only and a formatter extra; everything else present."""
    make_wheel(tmp_path, "server", "2.0", ['pywinpty>=1.1; os_name == "nt"', "jsonschema[format]>=4",
                                           'appnope; platform_system == "Darwin"'])
    make_wheel(tmp_path, "jsonschema", "4.1", ['rfc3339>=1; extra == "format"'])
    make_wheel(tmp_path, "setuptools", "80.0")
    return tmp_path


ROOTS = [Requirement("server==2.0"), Requirement("setuptools>=61")]


def test_missing_follows_the_target_platform_markers(house):
    linux = wheelhouse.missing(house, ROOTS, wheelhouse.environment("linux-x86_64", "3.11.5"))
    windows = wheelhouse.missing(house, ROOTS, wheelhouse.environment("win-amd64", "3.11.5"))
    mac = wheelhouse.missing(house, ROOTS, wheelhouse.environment("macos-arm64", "3.11.5"))
    assert sorted(r.name for r in linux) == ["rfc3339"]  # the extra's dependency, on every platform
    assert sorted(r.name for r in windows) == ["pywinpty", "rfc3339"]
    assert sorted(r.name for r in mac) == ["appnope", "rfc3339"]
    assert "pywinpty>=1.1" in [wheelhouse.unmarked(r) for r in windows]  # pip gets no marker to misjudge


def test_missing_is_empty_when_closed_and_checks_versions(house):
    make_wheel(house, "rfc3339", "1.0")
    make_wheel(house, "pywinpty", "3.1")
    env = wheelhouse.environment("win-amd64", "3.11.5")
    assert wheelhouse.missing(house, ROOTS, env) == []
    assert [r.name for r in wheelhouse.missing(house, [Requirement("server==3.0")], env)] == ["server"]


def test_requirements_follow_includes():
    names = [r.name for r in wheelhouse.requirements(ROOT / "requirements.txt")]
    student = [r.name for r in wheelhouse.requirements(ROOT / "requirements-student.txt")]
    assert set(student) < set(names) and "numpy" in student and "jupyterlab" in student
    assert not {"pytest", "playwright", "jupyter-book"} & set(student)


def test_preflight_pins_and_the_checks_without_a_kernel():
    pinned = dict(preflight.pins())
    assert pinned["numpy"] and "pytest" not in pinned
    for check in (preflight.check_python, preflight.check_font, preflight.check_figure):
        ok, detail = check()
        assert ok, detail


def test_student_requirements_are_pinned_as_in_constraints():
    constraints = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines()
                       if "==" in line and not line.startswith("#"))
    lower = {k.lower().replace("_", "-"): v for k, v in constraints.items()}
    for name, version in preflight.pins():
        assert lower[name.lower()] == version, name
