"""The Lambda artifacts `sam build` made (scripts/check-infra runs it first) are what Lambda needs.

The handlers are in FUNCTIONS (the API, the post-confirmation trigger, the hints, the
notifier, the mail feedback, the unsubscribe page and the points-expiry job), so each artifact must hold the
`backend` package itself (not its contents at the root) and the `loyalty` package it
imports, and nothing else of ours (no local cloud, app, tests or operator tools), plus the
arm64/Python 3.12 wheels of backend/requirements.txt.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from samtranslator.yaml_helper import yaml_parse

from localcloud import template

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / ".aws-sam" / "build"
FUNCTIONS = {
    "ApiFunction": "backend.app.handler",
    "PostConfirmationFunction": "backend.triggers.post_confirmation.handler",
    "HintsFunction": "backend.events.hints.handler",
    "NotifierFunction": "backend.events.notifier.handler",
    "MailFeedbackFunction": "backend.events.mail_feedback.handler",
    "UnsubscribeFunction": "backend.unsubscribe.handler",
    "ExpiryFunction": "backend.events.expiry.handler",
}


def shipped_files(package: Path) -> dict[str, bytes]:
    """Relative path -> content of every source file under a package directory."""
    return {
        str(p.relative_to(package)): p.read_bytes()
        for p in sorted(package.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


# Our packages in the artifact, and the build files that stay behind.
SHIPPED = ("backend", "loyalty")
NOT_SHIPPED = ("backend/Makefile", "backend/requirements.txt")


def source_files() -> dict[str, bytes]:
    """What the artifact must hold of ours: `backend/` and `loyalty/` without the build files."""
    files = {
        f"{package}/{path}": content
        for package in SHIPPED
        for path, content in shipped_files(ROOT / package).items()
    }
    return {path: content for path, content in files.items() if path not in NOT_SHIPPED}


def artifact_files(artifact: Path) -> dict[str, bytes]:
    """The same view of a built artifact."""
    return {
        f"{package}/{path}": content
        for package in SHIPPED
        for path, content in shipped_files(artifact / package).items()
    }


def our_top_level_names() -> set[str]:
    """Every top-level folder of this repository that holds Python (ours, not a dependency)."""
    return {
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.py"))
    }


def built_code_dirs() -> dict[str, Path]:
    """Function logical id -> its artifact directory, per the built template."""
    built = yaml_parse((BUILD / "template.yaml").read_text())
    return {
        logical_id: BUILD / built["Resources"][logical_id]["Properties"]["CodeUri"]
        for logical_id in FUNCTIONS
    }


@pytest.fixture(scope="module")
def artifacts() -> dict[str, Path]:
    """Function logical id -> its built artifact directory, rebuilt first if stale."""
    built = BUILD / "template.yaml"
    fresh = (
        built.exists()
        and set(FUNCTIONS) <= set(yaml_parse(built.read_text())["Resources"])
        and all(artifact_files(d) == source_files() for d in built_code_dirs().values())
    )
    if not fresh:  # e.g. pytest run alone after a backend change: build like CI does
        subprocess.run([str(ROOT / "scripts/check-infra"), "--build-only"], check=True, cwd=ROOT)
    return built_code_dirs()


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_the_artifact_ships_backend_and_loyalty_and_nothing_else_of_ours(artifacts, function):
    artifact = artifacts[function]
    ours = our_top_level_names()
    assert {"backend", "loyalty", "localcloud", "epoint_ui"} <= ours
    assert {p.name for p in artifact.iterdir()} & ours == set(SHIPPED)
    assert not list(artifact.glob("moto*")), "moto is a test dependency, never in the Lambda"
    source = source_files()
    built = artifact_files(artifact)
    assert sorted(built) == sorted(source), (
        "artifact is stale or incomplete: run scripts/check-infra"
    )
    stale = [path for path in source if built[path] != source[path]]
    assert not stale, f"artifact is stale ({stale[:3]}...): run scripts/check-infra"


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_the_artifact_carries_the_pinned_arm64_python312_dependencies(artifacts, function):
    artifact = artifacts[function]
    pins = re.findall(
        r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "backend/requirements.txt").read_text(), re.M
    )
    assert pins
    for name, version in pins:
        dist = f"{name.replace('-', '_').lower()}-{version}.dist-info"
        assert (artifact / dist).is_dir(), f"{name}=={version} missing from {function}"
    native = [p.name for p in artifact.rglob("*.so")]
    assert native, "no compiled extension at all: pydantic-core should be there"
    assert all("cpython-312-aarch64" in name or "abi3" in name for name in native), native


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_module_of_the_artifact_ships_its_bytecode(artifacts, function):
    # /var/task is read-only: a module without its .pyc is compiled from source at every
    # cold start. unchecked-hash (flags == 1): used whatever file times the zip carries.
    artifact = artifacts[function]
    missing, checked = [], []
    for source in artifact.rglob("*.py"):
        cached = source.parent / "__pycache__" / f"{source.stem}.cpython-312.pyc"
        if not cached.is_file():
            missing.append(str(source.relative_to(artifact)))
        elif int.from_bytes(cached.read_bytes()[4:8], "little") != 1:
            checked.append(str(cached.relative_to(artifact)))
    assert not missing, f"{len(missing)} modules without bytecode, e.g. {missing[:3]}"
    assert not checked, f"bytecode that Python would re-check against the source: {checked[:3]}"


# What the Lambda Python runtime itself provides besides the standard library.
LAMBDA_RUNTIME_PACKAGES = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "dateutil",
    "urllib3",
    "six",
)

# Refuses any import that neither the artifact nor the Lambda runtime could satisfy, so a
# package that happens to be in this venv (the X-Ray SDK came with moto) cannot hide a
# missing dependency of the deployed function.
REFUSE_UNSHIPPED = """
import sys
class _OnlyShipped:
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in sys.stdlib_module_names or top in ALLOWED or top.startswith("_sysconfigdata"):
            return None
        raise ModuleNotFoundError(f"{name}: not in the artifact nor in the Lambda runtime")
sys.meta_path.insert(0, _OnlyShipped())
"""


def shipped_top_level(artifact: Path) -> set[str]:
    """Importable top-level names the artifact carries (packages and single modules)."""
    return {p.name.split(".")[0] for p in artifact.iterdir() if not p.name.endswith(".dist-info")}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_the_built_handler_imports_in_a_fresh_interpreter(artifacts, function, tmp_path):
    # The artifact's own third-party wheels are aarch64/cp312 and cannot load on this
    # machine, so only its own packages are put on the path; the repo's are not. The venv's
    # copies of the artifact's other packages stand in for those; nothing else may load.
    artifact = artifacts[function]
    for package in SHIPPED:
        (tmp_path / package).symlink_to(artifact / package, target_is_directory=True)
    module, attr = FUNCTIONS[function].rsplit(".", 1)
    allowed = shipped_top_level(artifact) | set(LAMBDA_RUNTIME_PACKAGES)
    code = (
        "import importlib, importlib.util, os, sys\n"
        "assert importlib.util.find_spec('localcloud') is None\n"
        f"ALLOWED = {sorted(allowed)!r}\n"
        + REFUSE_UNSHIPPED
        + f"m = importlib.import_module({module!r})\n"
        f"assert callable(getattr(m, {attr!r}))\n"
        "import loyalty.bounds\n"
        "assert 'loyalty' in sys.modules\n"
        "print(os.path.realpath(m.__file__))\n"
        "print(os.path.realpath(loyalty.bounds.__file__))\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH",) and not key.startswith(("AWS_", "EPOINT_", "POWERTOOLS_"))
    }
    # What Lambda sets (so Powertools behaves as deployed, tracing not disabled), and the
    # function's own environment from the template.
    refs = {
        "LedgerTable": "epoint-ledger",
        "QrSigningSecret": "arn:aws:secretsmanager:qr",
        "Redis.PrimaryEndPoint.Address": "redis.internal",
        "Redis.PrimaryEndPoint.Port": "6379",
        "RedisAuthToken": "arn:aws:secretsmanager:redis",
        "UserPool": "eu-west-1_pool",
        # The email functions' (the notifier, the unsubscribe page).
        "MailFrom": "no-reply@mail.example.com",
        "MailConfigurationSet": "epoint-dev",
        "UnsubscribeSigningSecret": "arn:aws:secretsmanager:unsubscribe",
        "HttpApi.ApiEndpoint": "https://api.example.com",
    }
    env.update(template.function_environment(function, refs))
    env.update(
        AWS_REGION="eu-west-1",
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_LAMBDA_FUNCTION_NAME=function,
        AWS_EXECUTION_ENV="AWS_Lambda_python3.12",
        LAMBDA_TASK_ROOT=str(tmp_path),
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    handler_file, rules_file = done.stdout.split()
    assert handler_file.startswith(str(artifacts[function].resolve() / "backend"))
    assert rules_file.startswith(str(artifacts[function].resolve() / "loyalty"))
