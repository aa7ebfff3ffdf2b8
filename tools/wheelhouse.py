"""Download a wheelhouse: every wheel a laptop of one platform needs, to install with no internet.

    python tools/wheelhouse.py                          # this machine's platform and Python
                                                        # -> wheelhouse/linux-x86_64-py311
    python tools/wheelhouse.py --platform win-amd64     # a Windows laptop (64-bit), Python 3.11
    python tools/wheelhouse.py --platform macos-arm64 --python 3.12
    python tools/wheelhouse.py --full                   # requirements.txt (authoring) instead of
                                                        # requirements-student.txt
    python tools/wheelhouse.py --check DIR --platform win-amd64   # is DIR complete? (no network)

(`make wheelhouse PLATFORM=win-amd64` runs it.) Then, on the laptop, with no network:
`make offline-install WHEELHOUSE=DIR`, or the commands README.md gives for Windows.

`pip download --platform X` picks wheels built for X, but it decides which dependencies are
needed with the markers of the machine it runs on (`sys_platform == "win32"` is false on Linux),
so a Windows wheelhouse made on Linux lacks pywinpty, colorama, tzdata... and the install fails
in the room. So after pip's download this script walks every wheel's Requires-Dist with the
markers evaluated for the target platform, downloads what is missing (pinned by constraints.txt
where it pins it), and repeats until the set is closed. It adds setuptools (the editable install
of `bricks` and of tools/lab-config build with it) and ends by listing the count and size.
"""
import argparse
import pathlib
import platform
import re
import subprocess
import sys
import zipfile
from email.parser import Parser

try:
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name, parse_wheel_filename
except ImportError:  # a bare Python before the venv exists: pip carries its own copy
    from pip._vendor.packaging.markers import default_environment
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = pathlib.Path(__file__).resolve().parents[1]
LINUX = [f"manylinux_2_{minor}" for minor in range(17, 36)] + ["manylinux2014"]
TARGETS = {  # name: (pip --platform tags, the markers of that platform)
    "win-amd64": (["win_amd64"], {"sys_platform": "win32", "platform_system": "Windows",
                                  "os_name": "nt", "platform_machine": "AMD64"}),
    "macos-arm64": (["macosx_11_0_arm64"], {"sys_platform": "darwin", "platform_system": "Darwin",
                                            "os_name": "posix", "platform_machine": "arm64"}),
    "macos-x86_64": (["macosx_12_0_x86_64"], {"sys_platform": "darwin", "platform_system": "Darwin",
                                              "os_name": "posix", "platform_machine": "x86_64"}),
    "linux-x86_64": ([f"{tag}_x86_64" for tag in LINUX], {
        "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64"}),
    "linux-aarch64": ([f"{tag}_aarch64" for tag in LINUX], {
        "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "aarch64"}),
}
BUILD = ["setuptools>=61"]  # builds `pip install -e .` and tools/lab-config offline
FLOOR_311 = "3.11.5"  # soupsieve 4.1.3 requires it: "3.11" means 3.11.5 here (pip would take 3.11.0)


def requirements(path):
    """The Requirement lines of a requirements file, following `-r other.txt`."""
    path = pathlib.Path(path)
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += requirements(path.parent / line[3:].strip())
        elif line and not line.startswith("-"):
            found.append(Requirement(line))
    return found


def environment(target, python):
    """The marker environment of the target platform and Python version."""
    env = default_environment()
    if target != "native":
        env.update(TARGETS[target][1])
        env.update(python_version=".".join(python.split(".")[:2]),
                   python_full_version=python if python.count(".") == 2 else f"{python}.0",
                   implementation_name="cpython", platform_python_implementation="CPython")
    return env


def wheels(dest):
    """{canonical name: (version, path)} of the wheels in dest."""
    found = {}
    for path in sorted(pathlib.Path(dest).glob("*.whl")):
        name, version, _, _ = parse_wheel_filename(path.name)
        found[canonicalize_name(name)] = (version, path)
    return found


def requires(path):
    """The Requires-Dist lines of a wheel's METADATA."""
    with zipfile.ZipFile(path) as whl:
        meta = next(n for n in whl.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        message = Parser().parsestr(whl.read(meta).decode("utf-8"))
    return [Requirement(line) for line in message.get_all("Requires-Dist") or []]


def missing(dest, roots, env):
    """Requirements of the closure from roots that no wheel in dest satisfies, for env."""
    have, lacking, seen = wheels(dest), {}, set()
    todo = [(req, "") for req in roots]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({**env, "extra": extra}):
            continue
        name = canonicalize_name(req.name)
        if name not in have or not req.specifier.contains(have[name][0], prereleases=True):
            lacking.setdefault(name, req)
            continue
        for wanted in [""] + sorted(req.extras):
            if (name, wanted) not in seen:
                seen.add((name, wanted))
                todo += [(sub, wanted) for sub in requires(have[name][1])]
    return list(lacking.values())


def native_name():
    """This machine's platform as TARGETS names it (linux-x86_64, macos-arm64, win-amd64...)."""
    system = {"Darwin": "macos", "Windows": "win"}.get(platform.system(), platform.system().lower())
    return f"{system}-{platform.machine().lower()}"


def unmarked(req):
    """The requirement without its marker (pip would evaluate the marker for this machine)."""
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    return f"{req.name}{extras}{req.specifier}"


def pip_download(args, dest, target, python):
    cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet",
           "--only-binary=:all:", "-d", str(dest), "-c", str(ROOT / "constraints.txt")]
    if target != "native":
        cmd += [f"--platform={tag}" for tag in TARGETS[target][0]] + [f"--python-version={python}"]
    print("+", " ".join(cmd[2:] + args), flush=True)
    subprocess.run(cmd + args, check=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", default="native", choices=["native", *TARGETS],
                        help="the students' platform (default: this machine's)")
    parser.add_argument("--python", default="3.11", help="the students' Python X.Y (default 3.11)")
    parser.add_argument("--full", action="store_true", help="requirements.txt (authoring) instead of the student set")
    parser.add_argument("--dest", help="the folder (default wheelhouse/PLATFORM-pyXY)")
    parser.add_argument("--check", metavar="DIR", help="only check that DIR holds the whole set")
    args = parser.parse_args(argv)
    if args.platform == "native":
        args.python = platform.python_version()
    elif args.python == "3.11":
        args.python = FLOOR_311
    reqfile = ROOT / ("requirements.txt" if args.full else "requirements-student.txt")
    roots = requirements(reqfile) + [Requirement(r) for r in BUILD]
    env = environment(args.platform, args.python)
    label = f"{args.platform} Python {args.python}"
    if args.check:
        lacking = missing(args.check, roots, env)
        if lacking:
            print(f"{args.check} lacks, for {label}: {', '.join(map(str, lacking))}")
            return 1
        print(f"{args.check} holds every wheel {reqfile.name} needs on {label}.")
        return 0
    short = "".join(args.python.split(".")[:2])
    plat = native_name() if args.platform == "native" else args.platform
    dest = pathlib.Path(args.dest or ROOT / "wheelhouse" / f"{plat}-py{short}")
    dest.mkdir(parents=True, exist_ok=True)
    pip_download(["-r", str(reqfile)] + BUILD, dest, args.platform, args.python)
    for _ in range(10):  # each round adds the dependencies the last round's wheels brought in
        lacking = missing(dest, roots, env)
        if not lacking:
            break
        print(f"needed on {label} but not on this machine: {', '.join(map(str, lacking))}")
        pip_download(["--no-deps", *map(unmarked, lacking)], dest, args.platform, args.python)
    else:
        print(f"still missing after 10 rounds: {', '.join(map(str, lacking))}")
        return 1
    files = sorted(dest.glob("*.whl"))
    size = sum(f.stat().st_size for f in files) / 2**20
    print(f"{dest}: {len(files)} wheels, {size:.0f} MB, for {label} ({reqfile.name}).")
    print(f"In the room, with no network: make offline-install WHEELHOUSE={dest}"
          " (Windows: README.md, section Windows).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
