"""The build steps `epoint_ui/first_paint.py` installs change the files Reflex generates, as
this Reflex version generates them: once, and loudly when a file no longer looks as
expected (an upgrade), instead of silently shipping the full stylesheet again."""

from __future__ import annotations

from pathlib import Path

import pytest
import reflex_base
from reflex.compiler.compiler import compile_document_root
from reflex_base.compiler.templates import vite_config_template

from epoint_ui.first_paint import (
    COLOURS,
    add_lean_radix,
    add_low_priority_scripts,
    without_colour_mode_script,
)

POSTCSS_CONFIG = Path(reflex_base.__file__).parent / ".templates" / "web" / "postcss.config.js"


def test_the_lean_radix_step_runs_right_after_the_imports_are_inlined():
    config = add_lean_radix(POSTCSS_CONFIG.read_text())
    steps = [line.strip() for line in config.splitlines() if line.strip().endswith("},")]
    assert steps[0].startswith('"postcss-import"')
    assert steps[1].startswith('"./epoint-lean-radix.mjs"')
    assert all(colour in steps[1] for colour in COLOURS)
    assert add_lean_radix(config) == config  # a second compile changes nothing


def test_the_low_priority_step_is_among_vites_plugins():
    config = add_low_priority_scripts(
        vite_config_template(
            base="/", hmr=False, force_full_reload=False, experimental_hmr=False, sourcemap=False
        )
    )
    assert 'import lowPriorityScripts from "./epoint-low-priority-scripts.mjs";' in config
    assert config.count("lowPriorityScripts(),") == 1
    assert add_low_priority_scripts(config) == config


def test_the_document_loses_the_colour_mode_script_and_nothing_else():
    _, document = compile_document_root([], default_color_mode="light")
    trimmed = without_colour_mode_script(document)
    assert "localStorage" in document and "localStorage" not in trimmed
    assert document.count('jsx("meta"') == trimmed.count('jsx("meta"')
    assert 'jsx("link"' in trimmed and "jsx(Scripts" in trimmed
    assert without_colour_mode_script(trimmed) == trimmed


@pytest.mark.parametrize(
    ("step", "unexpected"),
    [
        (add_lean_radix, "export default { plugins: {} };"),
        (add_low_priority_scripts, "export default {};"),
        (
            without_colour_mode_script,
            'jsx("script",{src:"x"},"// Only run in browser environment")',
        ),
    ],
)
def test_a_file_that_changed_shape_fails_the_build(step, unexpected):
    with pytest.raises(RuntimeError):
        step(unexpected)
