"""The Teams app package: layout, filled-in ids, icons, command limits and schema validity."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from manifest import MANIFEST_VERSION, Developer, build_manifest, build_package
from manifest.build import MAX_COMMAND_DESCRIPTION, MAX_COMMAND_TITLE, MAX_COMMANDS_PER_LIST
from manifest.check_icons import check_icons, check_outline

ROOT = Path(__file__).resolve().parents[1]
MANIFEST_DIR = ROOT / "manifest"
NODE_PKG = MANIFEST_DIR / "node_modules" / "@microsoft" / "app-manifest"
SCHEMA = (
    NODE_PKG
    / "build"
    / "json-schemas"
    / "teams"
    / f"v{MANIFEST_VERSION}"
    / "MicrosoftTeams.schema.json"
)
APP_ID = "6f1c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f"
ALL = frozenset({"team", "personal", "groupChat"})

needs_node_modules = pytest.mark.skipif(
    not NODE_PKG.is_dir(),
    reason="manifest/node_modules is missing: run `npm ci` in manifest/ to get the bundled schemas",
)


@dataclass(frozen=True)
class Cmd:
    title: str
    description: str = "does something"
    scopes: frozenset[str] = ALL


SAMPLE = [
    Cmd("help", "Show what the bot can do", ALL),
    Cmd("setup", "Make this channel the safeguarding channel", frozenset({"team"})),
    Cmd("new case", "Log a new incident", frozenset({"team", "groupChat"})),
    Cmd("my cases", "Cases waiting for you", frozenset({"personal"})),
]


def _package(tmp_path: Path, commands: list[Cmd] | None = None) -> Path:
    return build_package(
        APP_ID, "1.2.3", SAMPLE if commands is None else commands, tmp_path / "app.zip"
    )


def _manifest_in(zip_path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(zip_path) as zf:
        return json.loads(zf.read("manifest.json"))


def test_package_has_exactly_the_three_files_at_its_root(tmp_path: Path) -> None:
    out = _package(tmp_path)
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert zf.testzip() is None


def test_package_bytes_are_reproducible(tmp_path: Path) -> None:
    first = _package(tmp_path / "a").read_bytes()
    assert _package(tmp_path / "b").read_bytes() == first


def test_ids_version_and_product_details_are_filled_in(tmp_path: Path) -> None:
    m = _manifest_in(_package(tmp_path))
    assert m["id"] == APP_ID
    assert m["bots"][0]["botId"] == APP_ID
    assert m["version"] == "1.2.3"
    assert m["manifestVersion"] == MANIFEST_VERSION
    assert m["$schema"].endswith(f"/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json")
    assert "{{" not in json.dumps(m)
    assert m["name"] == {"short": "Safeguarding Tracker", "full": "Safeguarding Tracker for Teams"}
    assert m["accentColor"] == "#005EB8"
    bot = m["bots"][0]
    assert set(bot["scopes"]) == ALL
    assert bot["supportsFiles"] is False and bot["isNotificationOnly"] is False
    assert m["developer"]["websiteUrl"].startswith("https://example.nhs.uk")


def test_developer_block_is_configurable() -> None:
    dev = Developer(
        "NHS Example ICB",
        "https://icb.example.nhs.uk",
        "https://icb.example.nhs.uk/p",
        "https://icb.example.nhs.uk/t",
    )
    m = build_manifest(APP_ID, "0.1.0", SAMPLE, developer=dev)
    assert m["developer"] == {
        "name": "NHS Example ICB",
        "websiteUrl": "https://icb.example.nhs.uk",
        "privacyUrl": "https://icb.example.nhs.uk/p",
        "termsOfUseUrl": "https://icb.example.nhs.uk/t",
    }
    with pytest.raises(ValueError, match="https"):
        Developer(website_url="http://insecure.example")


def test_command_lists_group_scopes_and_keep_order() -> None:
    lists = build_manifest(APP_ID, "0.1.0", SAMPLE)["bots"][0]["commandLists"]
    by_scope = {
        scope: [c["title"] for c in cl["commands"]] for cl in lists for scope in cl["scopes"]
    }
    assert by_scope == {
        "team": ["help", "setup", "new case"],
        "groupChat": ["help", "new case"],
        "personal": ["help", "my cases"],
    }
    assert len(lists) <= 3
    # scopes with the same commands share one list
    shared = build_manifest(APP_ID, "0.1.0", [Cmd("help")])["bots"][0]["commandLists"]
    assert len(shared) == 1 and set(shared[0]["scopes"]) == ALL


def test_no_commands_means_no_command_lists() -> None:
    assert "commandLists" not in build_manifest(APP_ID, "0.1.0", [])["bots"][0]


def test_twelve_commands_fit_and_thirteen_are_refused(tmp_path: Path) -> None:
    commands = [Cmd(f"command {i:02d}") for i in range(12)]
    m = _manifest_in(_package(tmp_path, commands))
    for cl in m["bots"][0]["commandLists"]:
        assert [c["title"] for c in cl["commands"]] == [f"command {i:02d}" for i in range(12)]
    assert MAX_COMMANDS_PER_LIST == 12
    with pytest.raises(ValueError, match="13 commands for scope team.*at most 12"):
        build_manifest(APP_ID, "0.1.0", [*commands, Cmd("command 12")])


def test_overlong_or_bad_commands_are_refused() -> None:
    with pytest.raises(ValueError, match="at most 128"):
        build_manifest(APP_ID, "0.1.0", [Cmd("x" * (MAX_COMMAND_TITLE + 1))])
    with pytest.raises(ValueError, match="at most 4000"):
        build_manifest(APP_ID, "0.1.0", [Cmd("help", "d" * (MAX_COMMAND_DESCRIPTION + 1))])
    with pytest.raises(ValueError, match="unknown scopes"):
        build_manifest(APP_ID, "0.1.0", [Cmd("help", scopes=frozenset({"meetings"}))])
    with pytest.raises(ValueError, match="no scopes"):
        build_manifest(APP_ID, "0.1.0", [Cmd("help", scopes=frozenset())])
    # the limits themselves are allowed
    build_manifest(APP_ID, "0.1.0", [Cmd("x" * MAX_COMMAND_TITLE, "d" * MAX_COMMAND_DESCRIPTION)])


@pytest.mark.parametrize(
    "bad", ["", "not-a-guid", "6f1c1d2e3a4b4c5d8e9f0a1b2c3d4e5f", APP_ID + "0"]
)
def test_app_id_must_be_a_guid(bad: str) -> None:
    with pytest.raises(ValueError, match="GUID"):
        build_manifest(bad, "0.1.0", SAMPLE)


@pytest.mark.parametrize("bad", ["1.0", "1.0.0.dev1", "v1.0.0", "01.0.0"])
def test_version_must_be_semver(bad: str) -> None:
    with pytest.raises(ValueError, match="MAJOR.MINOR.PATCH"):
        build_manifest(APP_ID, bad, SAMPLE)


def test_icons_pass_the_check(tmp_path: Path) -> None:
    out = _package(tmp_path)
    assert check_icons(out) == []
    with zipfile.ZipFile(out) as zf, zf.open("color.png") as f:
        assert Image.open(f).size == (192, 192)


def test_icon_check_reports_bad_icons(tmp_path: Path) -> None:
    grey = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    grey.putpixel((16, 16), (128, 128, 128, 255))
    assert any("not white" in p for p in check_outline(grey))
    assert any(
        "transparent" in p for p in check_outline(Image.new("RGBA", (32, 32), (255, 255, 255, 255)))
    )
    assert any("RGBA" in p for p in check_outline(Image.new("RGB", (32, 32))))

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr(
            "manifest.json", json.dumps({"icons": {"color": "color.png", "outline": "outline.png"}})
        )
        for name, img in (("color.png", Image.new("RGB", (96, 96))), ("outline.png", grey)):
            path = tmp_path / name
            img.save(path)
            zf.write(path, name)
    problems = check_icons(bad)
    assert any("color.png: is 96x96" in p for p in problems)
    assert any(p.startswith("outline.png") for p in problems)
    assert check_icons(tmp_path / "missing.zip") == [f"{tmp_path / 'missing.zip'}: no such file"]


def test_check_icons_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from manifest.check_icons import main

    assert main([str(_package(tmp_path))]) == 0
    assert main([str(tmp_path / "nope.zip")]) == 1
    assert "no such file" in capsys.readouterr().err


def _schema_validator() -> Any:
    """jsonschema Draft 4 with the `regex` engine: the schemas use `\\p{L}` in patterns."""
    jsonschema = pytest.importorskip("jsonschema")
    regex = pytest.importorskip("regex", reason="the `regex` package is needed for \\p{L} patterns")

    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "string") and not regex.search(patrn, instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")

    raw = SCHEMA.read_text(encoding="utf-8").replace("\\a", "\\u0007").replace("\\v", "\\u000b")
    schema = json.loads(raw)
    cls = jsonschema.validators.extend(jsonschema.Draft4Validator, {"pattern": pattern})
    return cls(schema)


@needs_node_modules
def test_manifest_is_valid_against_the_official_schema(tmp_path: Path) -> None:
    validator = _schema_validator()
    m = _manifest_in(_package(tmp_path))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(m)
    ]
    assert errors == []
    # and the validator does catch mistakes
    m["bots"][0]["scopes"].append("meetings")
    m["accentColor"] = "NHS blue"
    assert len(list(validator.iter_errors(m))) >= 2


@needs_node_modules
def test_enforced_command_limits_match_the_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    command_lists = schema["properties"]["bots"]["items"]["properties"]["commandLists"]
    command = command_lists["items"]["properties"]["commands"]
    assert command["maxItems"] == MAX_COMMANDS_PER_LIST
    assert command["items"]["properties"]["title"]["maxLength"] == MAX_COMMAND_TITLE
    assert command["items"]["properties"]["description"]["maxLength"] == MAX_COMMAND_DESCRIPTION
    assert command_lists["maxItems"] == 3


@pytest.mark.node
@needs_node_modules
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_validator_accepts_the_package_and_rejects_a_broken_one(tmp_path: Path) -> None:
    script = MANIFEST_DIR / "validate.mjs"
    out = _package(tmp_path)
    ok = subprocess.run(["node", str(script), str(out)], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert f"manifest valid against schema v{MANIFEST_VERSION}" in ok.stdout

    broken = _manifest_in(out)
    broken["bots"][0]["scopes"] = ["team", "meetings"]
    del broken["developer"]["privacyUrl"]
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    bad = subprocess.run(
        ["node", str(script), str(path)], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 1
    assert "/bots/0/scopes/1" in bad.stderr
    assert "privacyUrl" in bad.stderr


def test_tabs_and_single_sign_on_point_at_the_host(tmp_path: Path) -> None:
    m = build_manifest(APP_ID, "0.1.0", SAMPLE, host="sg.icb.example.nhs.uk")
    assert m["staticTabs"] == [{
        "entityId": "my-cases", "name": "My cases",
        "contentUrl": "https://sg.icb.example.nhs.uk/tab/?context=personal",
        "websiteUrl": "https://sg.icb.example.nhs.uk/tab/", "scopes": ["personal"]}]
    (tab,) = m["configurableTabs"]
    assert tab["configurationUrl"] == "https://sg.icb.example.nhs.uk/tab/configure"
    assert tab["scopes"] == ["team"]
    assert m["validDomains"] == ["sg.icb.example.nhs.uk"]
    assert m["webApplicationInfo"] == {"id": APP_ID,
                                       "resource": f"api://sg.icb.example.nhs.uk/{APP_ID}"}
    for bad in ("https://sg.example", "sg.example/tab", "", "bad host"):
        with pytest.raises(ValueError, match="host"):
            build_manifest(APP_ID, "0.1.0", SAMPLE, host=bad)
