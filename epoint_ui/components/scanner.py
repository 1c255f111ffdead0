"""The camera QR scanner: `@yudiel/react-qr-scanner`, decoding offline.

Linux Chromium (and Firefox) have no built-in BarcodeDetector, so the package decodes
with zxing-wasm, which by default downloads `zxing_reader.wasm` from a public CDN at
run time. A till must scan with no outside network, so the wasm ships in
`assets/zxing/` and the decoder is pointed at it before the scanner is first used.
The npm versions are pinned exactly because the wasm must match its JavaScript glue.
"""

from __future__ import annotations

import json

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

SCANNER_PACKAGE = "@yudiel/react-qr-scanner@2.6.0"
# barcode-detector 3.2.2 pins zxing-wasm 3.1.3, the build of assets/zxing/zxing_reader.wasm.
DECODER_PACKAGES = ["barcode-detector@3.2.2", "zxing-wasm@3.1.3"]
WASM_ASSET = "/zxing/zxing_reader.wasm"

# What the merchant reads when the camera cannot start, by the scanner's error kind.
CAMERA_PROBLEMS = {
    "permission-denied": "The browser is not allowed to use the camera. Allow camera access for this site, or type the customer's 6-digit code below.",
    "no-camera": "No camera was found on this device. Type the customer's 6-digit code below.",
    "in-use": "The camera is busy in another app or tab. Close it there, or type the customer's 6-digit code below.",
    "overconstrained": "This device's camera cannot be used for scanning. Type the customer's 6-digit code below.",
    "insecure-context": "The camera only works on a secure (https) page. Type the customer's 6-digit code below.",
    "unsupported": "This browser cannot use the camera. Type the customer's 6-digit code below.",
}
CAMERA_PROBLEM_OTHER = "The camera could not start. Type the customer's 6-digit code below."


def camera_problem_message(kind: str) -> str:
    """The sentence shown to the merchant for a scanner error of this kind."""
    return CAMERA_PROBLEMS.get(kind, CAMERA_PROBLEM_OTHER)


def _on_scan_spec(codes: Var[list[dict[str, str]]]) -> tuple[Var[str]]:
    """Pass the text of the first code found (the scanner reports a list)."""
    return (codes.to(list)[0].to(dict)["rawValue"].to(str),)


def _on_error_spec(error: ObjectVar[dict[str, str]]) -> tuple[Var[str], Var[str]]:
    """Pass the error's kind ("permission-denied", "no-camera", ...) and its message."""
    return (error.kind.to(str), error.message.to(str))


class QRScanner(rx.NoSSRComponent):
    """The camera view that reports every QR code it reads (client-side only)."""

    library = SCANNER_PACKAGE
    lib_dependencies: list[str] = DECODER_PACKAGES
    tag = "Scanner"

    # Only QR codes: fewer formats to try per frame means faster reads on a phone.
    formats: rx.Var[list[str]]
    paused: rx.Var[bool]
    sound: rx.Var[bool]
    constraints: rx.Var[dict]
    components: rx.Var[dict]
    styles: rx.Var[dict]
    scan_delay: rx.Var[int]

    on_scan: rx.EventHandler[_on_scan_spec]
    on_error: rx.EventHandler[_on_error_spec]

    def _get_dynamic_imports(self) -> str:
        # Point zxing at our copy of the wasm before the Scanner can be rendered, so
        # the first decode never reaches for the CDN.
        locate = (
            "(path, prefix) => path.endsWith('.wasm') ? "
            f"window.location.origin + {json.dumps(WASM_ASSET)} : prefix + path"
        )
        return (
            f"const {self.tag} = ClientSide(() => import('@yudiel/react-qr-scanner')"
            f".then((mod) => {{ mod.prepareZXingModule({{ overrides: {{ locateFile: {locate} }} }});"
            f" return mod.{self.tag}; }}), {json.dumps(self.tag)})"
        )


def qr_scanner(**props) -> rx.Component:
    """A QR-only camera scanner with the back camera preferred and no beep."""
    props.setdefault("formats", ["qr_code"])
    props.setdefault("sound", False)
    props.setdefault("constraints", {"facingMode": "environment"})
    props.setdefault("components", {"finder": True, "torch": False, "zoom": False, "onOff": False})
    return QRScanner.create(**props)
