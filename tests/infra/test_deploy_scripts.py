"""scripts/deploy and scripts/teardown, offline: stand-in aws, sam and docker on PATH.

Each test copies the checkout into a fresh git repository and runs the real scripts there
(deploy, teardown, check-infra, export-frontend, env.sh). Only the outside world is stood
in: `aws`, `docker`, the SAM CLI (`.venv-sam/bin/sam`), and the export's own tools (the
venv's `python -m pip`, `reflex`, bun). The stand-ins record their arguments and answer like
the real ones (a stack that does not exist yet is an error, an image not pushed is not in
ECR, `sam deploy` creates the stack's outputs); the Amplify upload is a real `curl` PUT to
a local HTTP server. No AWS, no Docker, no network.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from hashlib import sha256
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"
SITE = "example.com"
DOMAIN = f"state.{SITE}"
APP_ORIGIN = f"https://app.{SITE}"  # the web app: a sibling of the state server (README, Sessions)
CERTIFICATE = f"arn:aws:acm:{REGION}:123456789012:certificate/0000-example"
PASSWORD = "stand-in-ecr-password"
GIT_IDENTITY = ("-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false")
# What `sam deploy` leaves as the stack's outputs ({stack}, {region}, {domain}, {branch}, {app}).
OUTPUTS = {
    "ApiUrl": "https://a1b2c3.execute-api.{region}.amazonaws.com",
    "UserPoolId": "{region}_Example1",
    "UserPoolClientId": "exampleclient123",
    "TableName": "{stack}-LedgerTable-ABC",
    "Region": "{region}",
    "FrontendUrl": "{app}",
    "AmplifyAppId": "d1example",
    "AmplifyBranchName": "{branch}",
    "StateServerUrl": "https://{domain}",
    "LoadBalancerDnsName": "{stack}-alb-1.{region}.elb.amazonaws.com",
    "StateServerRepositoryUri": "123456789012.dkr.ecr.{region}.amazonaws.com/{stack}-state",
    "ClusterName": "{stack}-cluster",
    "StateServerServiceName": "{stack}-state",
    "AlarmTopicArn": "arn:aws:sns:{region}:123456789012:{stack}-alarms",
    "DashboardUrl": "https://{region}.console.aws.amazon.com/cloudwatch/home#dashboards:name=x",
}

STANDIN = r'''#!{python}
"""Stand-in for aws, sam, docker, the venv's python (pip), reflex and bun: records, answers."""
import json, os, re, sys, tomllib, uuid
from pathlib import Path

LOG, STATE = Path(os.environ["STANDIN_LOG"]), Path(os.environ["STANDIN_STATE"])
tool, args = Path(sys.argv[0]).name, sys.argv[1:]
state = json.loads(STATE.read_text())
stdin = sys.stdin.read() if "--password-stdin" in args else None


def record(**extra):
    with LOG.open("a") as log:
        log.write(json.dumps({"tool": tool, "args": args, "cwd": os.getcwd(), **extra}) + "\n")


def option(name):
    return args[args.index(name) + 1] if name in args else None


def fail(message, code=254):
    print(message, file=sys.stderr)
    sys.exit(code)


def save():
    STATE.write_text(json.dumps(state))


def stack_or_fail(operation):
    name = option("--stack-name")
    if name not in state["stacks"]:
        fail(f"An error occurred (ValidationError) when calling the {operation} operation: "
             f"Stack with id {name} does not exist")
    return state["stacks"][name]


def aws():
    service, operation = args[0], args[1]
    if (service, operation) == ("configure", "get"):
        fail("", 1)  # no region configured
    if (service, operation) == ("cloudformation", "describe-stacks"):
        stack = stack_or_fail("DescribeStacks")
        (key,) = re.findall(r"OutputKey=='(\w+)'", option("--query"))
        assert option("--output") == "text"
        return print(stack["outputs"].get(key, "None"))
    if (service, operation) == ("cloudformation", "describe-stack-resources"):
        stack = stack_or_fail("DescribeStackResources")
        assert option("--logical-resource-id") == "LoadBalancer"
        return print(stack["load_balancer_arn"])
    if (service, operation) == ("elbv2", "modify-load-balancer-attributes"):
        for stack in state["stacks"].values():
            if stack["load_balancer_arn"] == option("--load-balancer-arn"):
                stack["deletion_protection"] = option("--attributes")
        return print("{}")
    if (service, operation) == ("ec2", "describe-vpcs"):
        return print("vpc-0default")
    if (service, operation) == ("ec2", "describe-subnets"):
        return print("subnet-0a\tsubnet-0b\tsubnet-0c")
    if (service, operation) == ("ecr", "get-login-password"):
        return print(os.environ["STANDIN_PASSWORD"])
    if (service, operation) == ("ecr", "describe-images"):
        wanted = f"{option('--repository-name')}:{option('--image-ids').removeprefix('imageTag=')}"
        if not any(image.split("/", 1)[1] == wanted for image in state["images"]):
            fail("An error occurred (ImageNotFoundException) when calling the DescribeImages "
                 f"operation: The image with imageId {wanted} does not exist")
        return print("{}")
    if (service, operation) == ("amplify", "create-deployment"):
        state["jobs"] += 1
        save()
        assert option("--query") == "[jobId, zipUploadUrl]" and option("--output") == "text"
        job = str(state["jobs"])
        return print(f"{job}\t{os.environ['STANDIN_UPLOAD_URL']}/{job}?X-Amz-Signature=abc")
    if (service, operation) in (("amplify", "start-deployment"), ("amplify", "start-job")):
        return print(json.dumps({"jobSummary": {"status": "PENDING"}}))
    fail(f"stand-in aws: no answer for {args}", 2)


def sam():
    if args[0] == "build":
        return print("Build Succeeded")
    if args[0] == "deploy":
        config = tomllib.loads(Path("samconfig.toml").read_text())
        name = config[option("--config-env")]["global"]["parameters"]["stack_name"]
        i = args.index("--parameter-overrides") + 1
        params = {}
        while i < len(args) and not args[i].startswith("--"):
            key, _, value = args[i].partition("=")
            params[key] = value  # later ones win, as in sam
            i += 1
        if params["StateServerImageTag"]:  # ECS pulls the image: it must be in the repository
            repo = state["stacks"][name]["outputs"]["StateServerRepositoryUri"]
            if f"{repo}:{params['StateServerImageTag']}" not in state["images"]:
                fail("Failed to create/update the stack: the service's tasks cannot pull the image", 1)
        fill = {"stack": name, "region": option("--region"),
                "domain": params["StateServerDomain"], "branch": params["BranchName"],
                "app": f"https://{params['AppSubdomain']}.{params['SiteDomain']}"}
        outputs = {k: v.format(**fill) for k, v in json.loads(os.environ["STANDIN_OUTPUTS"]).items()}
        state["stacks"][name] = {"parameters": params, "outputs": outputs,
                                 "load_balancer_arn": f"arn:aws:elasticloadbalancing:{name}-alb"}
        save()
        return print(f"Successfully created/updated stack - {name}")
    if args[0] == "delete":
        name = option("--stack-name")
        if name not in state["stacks"]:
            fail(f"Error: The input stack {name} does not exist on Cloudformation", 1)
        del state["stacks"][name]
        save()
        return print("Deleted successfully")
    fail(f"stand-in sam: no answer for {args}", 2)


def docker():
    if args[0] == "login":
        if stdin.strip() != os.environ["STANDIN_PASSWORD"]:
            fail("Error response from daemon: login attempt failed", 1)
        state["logged_in"].append(args[-1])
        save()
        return print("Login Succeeded")
    if args[:2] == ["buildx", "build"]:
        image = option("-t")
        if image.split("/")[0] not in state["logged_in"]:
            fail("ERROR: failed to push: no basic auth credentials", 1)
        state["images"].append(image)
        save()
        return print(f"pushed {image}")
    fail(f"stand-in docker: no answer for {args}", 2)


def reflex():
    assert args[:2] == ["export", "--frontend-only"], args
    nonce = uuid.uuid4().hex
    baked = {k: os.environ.get(k, "") for k in ("REFLEX_API_URL", "EPOINT_API_URL",
             "EPOINT_USER_POOL_ID", "EPOINT_CLIENT_ID", "AWS_REGION")}
    client = Path(".web/build/client")
    (client / "assets").mkdir(parents=True, exist_ok=True)
    # Like Reflex's pages: inline scripts (scripts/export-frontend must move them to files).
    page = f"<html><!-- export {nonce} -->{json.dumps(baked)}<script>var n = 1;</script></html>"
    (client / "index.html").write_text(page)
    (client / "404.html").write_text(page)
    (client / "assets" / f"app-{nonce[:8]}.js").write_text(f"const api = {baked['REFLEX_API_URL']!r};")
    record(nonce=nonce, env=baked)


if tool == "reflex":
    reflex()  # records what it baked in
else:
    record()
    if tool == "bun":
        print("1.4.4")
    elif tool == "python":  # the venv's python: pip install, or the export's post-processing
        if args[:2] == ["-m", "deploy.static_site"]:
            os.execv(sys.executable, [sys.executable, *args])  # the real one, on the stand-in export
        assert args[:3] == ["-m", "pip", "install"], args
    else:
        {"aws": aws, "sam": sam, "docker": docker}[tool]()
'''

# The calls that change something or deliver something, in the order they happened.
READ_ONLY = {
    ("aws", "configure get"),
    ("aws", "cloudformation describe-stacks"),
    ("aws", "cloudformation describe-stack-resources"),
    ("aws", "ec2 describe-vpcs"),
    ("aws", "ec2 describe-subnets"),
    ("aws", "ecr describe-images"),
    ("aws", "ecr get-login-password"),
    ("bun", "--version"),
}


def step(call: dict[str, Any]) -> str:
    """A call, as a step name: "sam deploy", "aws amplify create-deployment", "upload"."""
    tool, args = call["tool"], call["args"]
    if tool == "aws":
        return f"aws {args[0]} {args[1]}"
    if tool == "docker":
        return "docker " + ("buildx build" if args[0] == "buildx" else args[0])
    if tool == "python":
        return "pip install" if args[:2] == ["-m", "pip"] else "python " + " ".join(args[:2])
    if tool == "upload":
        return "upload"
    return f"{tool} {args[0]}" if args else tool


def overrides(call: dict[str, Any]) -> dict[str, str]:
    """`sam deploy --parameter-overrides K=V ...` as a dict (later ones win, as in sam)."""
    args = call["args"]
    out = {}
    for arg in args[args.index("--parameter-overrides") + 1 :]:
        if arg.startswith("--"):
            break
        key, _, value = arg.partition("=")
        out[key] = value
    return out


class UploadServer(ThreadingHTTPServer):
    """Amplify's pre-signed upload URL: keeps each PUT body and logs it in the call order."""

    def __init__(self, log: Path, into: Path) -> None:
        self.log, self.into = log, into
        super().__init__(("127.0.0.1", 0), UploadHandler)


class UploadHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: UploadServer

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        path = self.server.into / f"upload-{len(list(self.server.into.iterdir()))}.zip"
        path.write_bytes(body)
        with self.server.log.open("a") as log:
            log.write(json.dumps({"tool": "upload", "args": [self.path, str(path)]}) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class World:
    """A copy of the checkout as a git repository, the stand-ins, and what they recorded."""

    def __init__(self, tmp: Path) -> None:
        self.repo, self.bin, self.log = tmp / "repo", tmp / "bin", tmp / "calls.jsonl"
        self.state = tmp / "cloud.json"
        self.uploads = tmp / "uploads"
        self.uploads.mkdir()
        self.bin.mkdir()
        self.state.write_text(json.dumps({"stacks": {}, "images": [], "logged_in": [], "jobs": 0}))
        self._copy_checkout()
        standin = self.bin / "standin.py"
        standin.write_text(STANDIN.replace("{python}", sys.executable, 1))
        standin.chmod(0o755)
        for link in (
            self.bin / "aws",
            self.bin / "docker",
            self.repo / ".venv-sam/bin/sam",
            self.repo / ".venv/bin/python",
            self.repo / ".venv/bin/reflex",
            self.repo / ".tools/node_modules/.bin/bun",
        ):
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(standin)
        # check-infra's SAM CLI venv counts as installed (its stamp matches).
        tools = (self.repo / "requirements-tools-sam.txt").read_bytes()
        (self.repo / ".venv-sam/.requirements.sha").write_text(sha256(tools).hexdigest() + "\n")
        self.server = UploadServer(self.log, self.uploads)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _copy_checkout(self) -> None:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for name in filter(None, listed.split("\0")):
            source = ROOT / name
            if source.is_file():
                (self.repo / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, self.repo / name)
        self.git("init", "-q", "-b", "main")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "the checkout")

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", *GIT_IDENTITY, *args],
            cwd=self.repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def env(self, **extra: str) -> dict[str, str]:
        keep = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("EPOINT_", "REFLEX_", "AWS_", "PYTHON", "VIRTUAL_ENV"))
        }
        path = [p for p in os.environ["PATH"].split(":") if not p.startswith(str(ROOT))]
        return {
            **keep,
            "PATH": ":".join([str(self.bin), *path]),
            "STANDIN_LOG": str(self.log),
            "STANDIN_STATE": str(self.state),
            "STANDIN_PASSWORD": PASSWORD,
            "STANDIN_OUTPUTS": json.dumps(OUTPUTS),
            "STANDIN_UPLOAD_URL": f"http://127.0.0.1:{self.server.server_port}/upload",
            "NPM_CONFIG_REGISTRY": "http://registry.invalid/",
            "AWS_REGION": REGION,
            "EPOINT_CERTIFICATE_ARN": CERTIFICATE,
            "EPOINT_STATE_DOMAIN": DOMAIN,
            "EPOINT_SITE_DOMAIN": SITE,
            **extra,
        }

    def run(
        self, script: str, *args: str, stdin: str = "", **env: str
    ) -> subprocess.CompletedProcess[str]:
        """Runs scripts/`script`; the calls it made are in self.calls() afterwards."""
        self.log.write_text("")
        return subprocess.run(
            [str(self.repo / "scripts" / script), *args],
            env=self.env(**env),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def calls(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def steps(self) -> list[str]:
        return [
            step(c) for c in self.calls() if (c["tool"], step(c).partition(" ")[2]) not in READ_ONLY
        ]

    def only(self, name: str) -> dict[str, Any]:
        (call,) = [c for c in self.calls() if step(c) == name]
        return call

    def cloud(self) -> dict[str, Any]:
        return json.loads(self.state.read_text())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.close()


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, (
        f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def uploaded_site(world: World) -> dict[str, bytes]:
    """The files of the one archive uploaded in the last run."""
    (upload,) = [c for c in world.calls() if c["tool"] == "upload"]
    with zipfile.ZipFile(io.BytesIO(Path(upload["args"][1]).read_bytes())) as archive:
        return {n: archive.read(n) for n in archive.namelist() if not n.endswith("/")}


def exported_site(world: World) -> dict[str, bytes]:
    client = world.repo / ".web/build/client"
    return {str(p.relative_to(client)): p.read_bytes() for p in client.rglob("*") if p.is_file()}


def test_every_output_the_stand_in_gives_is_one_the_template_declares(sam_template):
    assert set(OUTPUTS) == set(sam_template["Outputs"])


def test_first_deploy_builds_creates_pushes_rolls_out_and_uploads_this_runs_export(world):
    # A front end exported by some earlier run: it must not be what gets uploaded.
    stale = world.repo / ".web/build/client"
    stale.mkdir(parents=True)
    (stale / "index.html").write_text("<html>an old build, pointing at an old state server</html>")
    (stale / "stale-only.js").write_text("old")

    out = ok(world.run("deploy", "dev"))

    assert world.steps() == [
        "sam build",  # scripts/check-infra --build-only
        "sam deploy",  # the stack, with no image yet (its ECR repository is in it)
        "docker login",
        "docker buildx build",
        "sam deploy",  # now running the image
        "pip install",  # scripts/export-frontend --install ...
        "reflex export",  # ... then scripts/export-frontend
        "python -m deploy.static_site",  # ... which moves the inline scripts to files
        "aws amplify create-deployment",
        "upload",
        "aws amplify start-deployment",
    ]
    cloud = world.cloud()
    outputs = cloud["stacks"]["epoint-dev"]["outputs"]
    repo_uri = outputs["StateServerRepositoryUri"]
    tag = world.git("rev-parse", "--short=12", "HEAD")

    build = world.only("sam build")
    assert build["args"] == ["build", "--template", "template.yaml"]
    first, second = [c for c in world.calls() if step(c) == "sam deploy"]
    for call in (first, second):
        assert call["args"][:5] == ["deploy", "--config-env", "dev", "--region", REGION]
        params = overrides(call)
        # samconfig.toml's stage values, then this account's.
        assert params["Stage"] == "dev" and params["TaskPublicIp"] == "ENABLED"
        assert params["CertificateArn"] == CERTIFICATE
        assert params["StateServerDomain"] == DOMAIN
        assert (params["SiteDomain"], params["AppSubdomain"]) == (SITE, "app")
        # The web app's origin is the HTTP API's CORS origin from the first deploy on.
        assert params["FrontendOrigins"] == f"{APP_ORIGIN},http://localhost:3000"
        assert params["VpcId"] == "vpc-0default"  # dev: the default VPC and its subnets
        assert (
            params["PublicSubnetIds"] == params["TaskSubnetIds"] == "subnet-0a,subnet-0b,subnet-0c"
        )
        assert params["RepositoryUrl"] == "" and params["HostedZoneId"] == ""
        # Email from the site's mail subdomain unless told otherwise (docs/deploy.md, "Email").
        assert params["MailIdentity"] == f"mail.{SITE}"
        assert params["MailFrom"] == f"no-reply@mail.{SITE}"
    assert overrides(first)["StateServerImageTag"] == ""
    assert overrides(second)["StateServerImageTag"] == tag
    assert outputs["FrontendUrl"] == APP_ORIGIN

    registry = repo_uri.split("/")[0]
    login = world.only("docker login")
    assert login["args"] == ["login", "--username", "AWS", "--password-stdin", registry]
    image = world.only("docker buildx build")
    build_args = ["buildx", "build", "--platform", "linux/arm64", "--provenance=false", "-t"]
    assert image["args"] == [*build_args, f"{repo_uri}:{tag}", "--push", "."]
    assert Path(image["cwd"]) == world.repo
    assert cloud["images"] == [f"{repo_uri}:{tag}"]

    assert world.only("pip install")["args"][-2:] == ["-r", "requirements.txt"]
    export = world.only("reflex export")
    assert export["args"] == ["export", "--frontend-only", "--no-zip", "--env", "prod"]
    assert export["env"] == {
        "REFLEX_API_URL": f"https://{DOMAIN}",
        "EPOINT_API_URL": outputs["ApiUrl"],
        "EPOINT_USER_POOL_ID": outputs["UserPoolId"],
        "EPOINT_CLIENT_ID": outputs["UserPoolClientId"],
        "AWS_REGION": REGION,
    }

    # The archive is exactly this run's export: nothing from the stale build.
    site = uploaded_site(world)
    assert site == exported_site(world)
    assert "stale-only.js" not in site
    assert export["nonce"] in site["index.html"].decode()
    # ... with its inline scripts moved to files (the CSP allows no 'unsafe-inline').
    assert "<script>" not in site["index.html"].decode()
    (script,) = [
        name for name in site if name.startswith("assets/inline-") and name.endswith(".js")
    ]
    assert site[script] == b"var n = 1;"
    assert f'src="/{script}"' in site["index.html"].decode()

    create = world.only("aws amplify create-deployment")
    start = world.only("aws amplify start-deployment")
    for call in (create, start):
        assert call["args"][call["args"].index("--app-id") + 1] == outputs["AmplifyAppId"]
        assert call["args"][call["args"].index("--branch-name") + 1] == outputs["AmplifyBranchName"]
    (upload,) = [c for c in world.calls() if c["tool"] == "upload"]
    job = start["args"][start["args"].index("--job-id") + 1]
    assert upload["args"][0].startswith(f"/upload/{job}?")

    for name in ("FrontendUrl", "StateServerUrl", "ApiUrl", "DashboardUrl", "LoadBalancerDnsName"):
        assert outputs[name] in out  # the DNS record to add: no hosted zone given


def test_a_second_deploy_of_the_same_commit_reuses_the_image_and_uploads_a_new_export(world):
    ok(world.run("deploy", "dev"))
    first_export = world.only("reflex export")["nonce"]

    ok(world.run("deploy", "dev"))

    assert world.steps() == [
        "sam build",
        "sam deploy",
        "pip install",
        "reflex export",
        "python -m deploy.static_site",
        "aws amplify create-deployment",
        "upload",
        "aws amplify start-deployment",
    ]
    tag = world.git("rev-parse", "--short=12", "HEAD")
    assert overrides(world.only("sam deploy"))["StateServerImageTag"] == tag
    site = uploaded_site(world)
    export = world.only("reflex export")["nonce"]
    assert export != first_export and export in site["index.html"].decode()


@pytest.mark.parametrize(
    ("change", "dirty"),
    [
        ("epoint_ui/new_page.py", True),  # not committed yet, but it would be in the image
        ("requirements.txt", True),
        ("README.md", False),  # not in the image
        ("localcloud/__init__.py", False),
    ],
)
def test_the_image_tag_says_when_the_images_files_differ_from_the_commit(world, change, dirty):
    path = world.repo / change
    with path.open("a") as f:
        f.write("\n# edited\n")
    ok(world.run("deploy", "dev"))
    (pushed,) = world.cloud()["images"]
    tag = pushed.rsplit(":", 1)[1]
    commit = world.git("rev-parse", "--short=12", "HEAD")
    if dirty:
        assert re.fullmatch(rf"{commit}-dirty-\d{{14}}", tag)
    else:
        assert tag == commit


def test_with_a_repository_amplify_builds_from_git_and_nothing_is_uploaded(world):
    ok(
        world.run(
            "deploy",
            "dev",
            EPOINT_REPOSITORY_URL="https://github.com/example/epoint",
            EPOINT_REPOSITORY_TOKEN_SECRET="epoint/github-token",
        )
    )
    steps = world.steps()
    assert steps[-1] == "aws amplify start-job"
    assert "reflex export" not in steps and "upload" not in steps
    job = world.only("aws amplify start-job")["args"]
    assert job[job.index("--job-type") + 1] == "RELEASE"
    params = overrides([c for c in world.calls() if step(c) == "sam deploy"][-1])
    assert params["RepositoryUrl"] == "https://github.com/example/epoint"
    assert params["RepositoryTokenSecret"] == "epoint/github-token"


def test_the_state_server_must_be_a_sibling_of_the_web_app_or_nothing_happens(world):
    """Another site's name for the state server would never get the session cookie."""
    done = world.run("deploy", "dev", EPOINT_STATE_DOMAIN="state.example.net")
    assert done.returncode != 0
    assert "must be a name under EPOINT_SITE_DOMAIN" in done.stderr
    assert world.steps() == []


def test_the_mail_identity_and_threat_protection_come_from_the_environment(world):
    ok(
        world.run(
            "deploy",
            "dev",
            EPOINT_MAIL_IDENTITY="example.com",
            EPOINT_MAIL_FROM="hello@example.com",
            EPOINT_THREAT_PROTECTION="ENFORCED",
        )
    )
    params = overrides([c for c in world.calls() if step(c) == "sam deploy"][-1])
    # One identity for every email: the notifier's and (prod) the user pool's codes.
    assert params["MailIdentity"] == "example.com"
    assert params["MailFrom"] == "hello@example.com"
    assert not {"SesIdentityArn", "SesFromAddress"} & set(params)
    assert params["ThreatProtection"] == "ENFORCED"


def test_prod_needs_its_network_named_and_changes_nothing_without_it(world):
    done = world.run("deploy", "prod")
    assert done.returncode != 0
    assert "prod needs EPOINT_VPC_ID" in done.stderr
    assert world.steps() == []


def test_teardown_lifts_deletion_protection_deletes_the_stack_and_keeps_the_ledger(world):
    network = {
        "EPOINT_VPC_ID": "vpc-0prod",
        "EPOINT_PUBLIC_SUBNETS": "subnet-p1,subnet-p2",
        "EPOINT_TASK_SUBNETS": "subnet-t1,subnet-t2",
    }
    ok(world.run("deploy", "prod", **network))
    params = overrides([c for c in world.calls() if step(c) == "sam deploy"][-1])
    assert params["Stage"] == "prod" and params["VpcId"] == "vpc-0prod"
    assert params["TaskSubnetIds"] == "subnet-t1,subnet-t2"
    assert params["FrontendOrigins"] == APP_ORIGIN  # prod: only the web app's origin
    # Accounts: no threat protection unless asked for; the pool's codes go through the
    # mail identity (the template, prod), the one the notifier sends from.
    assert params["ThreatProtection"] == "OFF"
    assert params["MailIdentity"] == f"mail.{SITE}"
    table = world.cloud()["stacks"]["epoint-prod"]["outputs"]["TableName"]
    alb = world.cloud()["stacks"]["epoint-prod"]["load_balancer_arn"]

    out = ok(world.run("teardown", "prod", "--yes"))

    assert world.steps() == ["aws elbv2 modify-load-balancer-attributes", "sam delete"]
    lift = world.only("aws elbv2 modify-load-balancer-attributes")["args"]
    assert lift[lift.index("--load-balancer-arn") + 1] == alb
    assert lift[lift.index("--attributes") + 1] == "Key=deletion_protection.enabled,Value=false"
    assert world.only("sam delete")["args"] == [
        "delete",
        "--stack-name",
        "epoint-prod",
        "--region",
        REGION,
        "--no-prompts",
    ]
    assert "epoint-prod" not in world.cloud()["stacks"]
    assert f"kept the ledger table {table}" in out
    assert f"aws dynamodb delete-table --table-name {table} --region {REGION}" in out


def test_teardown_deletes_nothing_unless_the_stage_is_typed(world):
    ok(world.run("deploy", "dev"))
    done = world.run("teardown", "dev", stdin="yes\n")
    assert done.returncode != 0 and "nothing deleted" in done.stdout
    assert world.steps() == []
    assert "epoint-dev" in world.cloud()["stacks"]

    ok(world.run("teardown", "dev", stdin="dev\n"))
    assert world.steps() == ["aws elbv2 modify-load-balancer-attributes", "sam delete"]
    assert world.cloud()["stacks"] == {}
